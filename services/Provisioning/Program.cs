using Aes.Provisioning;
using Aes.ServiceDefaults;

return await ServiceRunner.RunAsync(args, arguments => ProvisioningApp.BuildAsync(arguments));

public partial class Program;
