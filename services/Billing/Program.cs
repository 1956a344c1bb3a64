using Aes.Billing;
using Aes.ServiceDefaults;

return await ServiceRunner.RunAsync(args, arguments => BillingApp.BuildAsync(arguments));

public partial class Program;
