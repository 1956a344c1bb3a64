using Aes.ServiceDefaults.Identity;
using Aes.Contracts.Tenancy.V1;
using Aes.Messaging;
using Aes.Messaging.Persistence;
using Aes.Portal.Api;
using Aes.Portal.Data;
using Aes.Portal.Pages;
using Microsoft.AspNetCore.DataProtection;

namespace Aes.Portal.Extensions;

public static class Extensions
{
    /// <summary>Configuration key of tenancy's gRPC address, the same in every deployment.</summary>
    public const string TenancyAddressKey = "Services:tenancy";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var tenancy = builder.Configuration[TenancyAddressKey]
            ?? throw new InvalidOperationException($"{TenancyAddressKey} (tenancy's gRPC address) is not set.");
        // Named, so that it never mixes with the API's clients of the same type, which carry the caller's token.
        builder.Services.AddGrpcClient<TenancyService.TenancyServiceClient>(HomePage.TenancyClient, options => options.Address = new Uri(tenancy)).WithServiceIdentity();
        builder.AddServiceDatabase<PortalDbContext, PortalPostgresDbContext, PortalSqliteDbContext>(ResourceNames.PortalDatabase);
        builder.AddPublicApi();
        builder.Services.AddDataProtection().SetApplicationName("aes-portal").PersistKeysToDbContext<PortalDbContext>();
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGet("/", HomePage.RenderAsync).AllowAnonymous();
        app.MapPublicApi();
        return app;
    }
}
