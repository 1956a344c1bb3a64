using Aes.Tenancy;

var app = await TenancyApp.BuildAsync(args);
await app.RunAsync();

public partial class Program;
