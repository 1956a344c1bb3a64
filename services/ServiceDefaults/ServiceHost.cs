using Microsoft.AspNetCore.Builder;

namespace Aes.ServiceDefaults;

public static class ServiceHost
{
    /// <summary>
    /// A builder named after the service's own assembly, so telemetry and logs carry the right
    /// service name even when several services share one process (the embedded mode). Its content root
    /// is the folder of the binaries, not the shell's current folder: a published service finds its
    /// web root (wwwroot) wherever it is started from, as <c>dotnet run</c> and a container alike start it.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(Type serviceMarker, string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = serviceMarker.Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
}
