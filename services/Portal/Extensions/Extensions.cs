using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Web;
using Aes.Contracts.Tenancy.V1;
using Aes.Messaging;
using Aes.Messaging.Dapr;
using Aes.Messaging.Persistence;
using Aes.Portal.Api;
using Aes.Portal.Data;
using Aes.Portal.Components;
using Aes.Portal.Components.Pages;
using Aes.Portal.Web;

namespace Aes.Portal.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // The public pages' clients carry no token at all: the portal holds no identity of its own, and the services serve the
        // reference data these pages show to anyone. Named, so that they never mix with the clients that carry a person's token.
        builder.Services.AddServiceGrpcClient<TenancyService.TenancyServiceClient>(builder.Configuration, ResourceNames.Tenancy, Home.TenancyClient);
        builder.Services.AddServiceGrpcClient<Aes.Contracts.Provisioning.V1.ProvisioningService.ProvisioningServiceClient>(builder.Configuration, ResourceNames.Provisioning,
            Home.ProvisioningClient);
        builder.AddServiceDatabase<PortalDbContext, PortalPostgresDbContext, PortalSqliteDbContext>(ResourceNames.PortalDatabase);
        builder.AddWebFront();
        builder.AddPublicApi();
        builder.AddBrowserSignIn();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // French pages keep their accents as characters, not as &#xE9; entities.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(options =>
            options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<SharedGrpcHandler>();
        builder.Services.AddScoped<UserClients>();
        builder.AddKeyRing<PortalDbContext>("aes-portal");
        return builder;
    }

    /// <summary>
    /// Serves the stylesheet and Blazor's script from where the build left them, in every environment. A
    /// build (not a publish) keeps them in the project's wwwroot, its obj folder and the framework's package,
    /// and lists those folders in Aes.Portal.staticwebassets.runtime.json next to the binaries; ASP.NET reads
    /// that list only in Development, so the README's run (Production, from the launcher's folder) served
    /// every asset empty. A publish copies the assets into wwwroot and leaves no list: nothing to add then.
    /// </summary>
    public static WebApplicationBuilder UseBuiltStaticAssets(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.UseLanguages();
        app.UseAntiforgery();
        app.MapPublicApi();
        app.MapBrowserSignIn();
        app.MapDocuments();
        app.MapStaticAssets().AllowAnonymous();
        // Pages say who may see them ([Authorize], [AllowAnonymous]); the rest falls to the fallback policy (signed in).
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = "'none'");
        return app;
    }
}
