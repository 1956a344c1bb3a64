using Aes.Provisioning;

var app = await ProvisioningApp.BuildAsync(args);
await app.RunAsync();

public partial class Program;
