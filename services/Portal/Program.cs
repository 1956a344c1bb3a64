using Aes.Portal;
using Aes.ServiceDefaults;

return await ServiceRunner.RunAsync(args, arguments => PortalApp.BuildAsync(arguments));

public partial class Program;
