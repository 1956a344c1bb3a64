using Aes.Quota;

var app = await QuotaApp.BuildAsync(args);
await app.RunAsync();

public partial class Program;
