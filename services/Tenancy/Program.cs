using Aes.Tenancy;
using Aes.ServiceDefaults;

return await ServiceRunner.RunAsync(args, arguments => TenancyApp.BuildAsync(arguments));

public partial class Program;
