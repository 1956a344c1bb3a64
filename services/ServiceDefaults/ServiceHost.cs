using Microsoft.AspNetCore.Builder;

namespace Aes.ServiceDefaults;

public static class ServiceHost
{
    /// <summary>
    /// A builder named after the service's own assembly, so telemetry and logs carry the right
    /// service name even when several services share one process (the embedded mode).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(Type serviceMarker, string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = serviceMarker.Assembly.GetName().Name,
        });
}
