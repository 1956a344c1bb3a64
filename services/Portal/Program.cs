using Aes.Portal;

var app = PortalApp.Build(args);
await app.RunAsync();

public partial class Program;
