using Aes.Notifications;
using Aes.ServiceDefaults;

return await ServiceRunner.RunAsync(args, arguments => NotificationsApp.BuildAsync(arguments));

public partial class Program;
