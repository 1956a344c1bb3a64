using Aes.Notifications.Extensions;

namespace Aes.Notifications;

/// <summary>Builds the notifications service, on its own (Program) or inside the embedded launcher.</summary>
public static class NotificationsApp
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        ServiceApplication.BuildAsync<NotificationsDbContext>(typeof(NotificationsApp), args,
            builder => builder.AddApplicationServices(), app => app.MapApplicationEndpoints(), configure);
}
