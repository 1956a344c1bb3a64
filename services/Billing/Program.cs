using Aes.Billing;

var app = await BillingApp.BuildAsync(args);
await app.RunAsync();

public partial class Program;
