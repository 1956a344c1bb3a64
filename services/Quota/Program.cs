using Aes.Quota;
using Aes.ServiceDefaults;

return await ServiceRunner.RunAsync(args, arguments => QuotaApp.BuildAsync(arguments));

public partial class Program;
