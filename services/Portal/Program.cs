using Aes.Portal;

var app = await PortalApp.BuildAsync(args);
await app.RunAsync();

public partial class Program;
