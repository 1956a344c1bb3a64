using Aes.Messaging.Persistence;
using Aes.Provisioning.Drivers;
using Aes.Provisioning.Extensions;

namespace Aes.Provisioning;

/// <summary>Builds the provisioning service, on its own (Program) or inside the embedded launcher.</summary>
public static class ProvisioningApp
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        ServiceApplication.BuildAsync<ProvisioningDbContext>(typeof(ProvisioningApp), args,
            builder => builder.AddApplicationServices(), app => app.MapApplicationEndpoints(), configure,
            async app =>
            {
                await app.MigrateOnStartAsync<ProvisioningDbContext>();
                await SimulatedFacilityDriver.EnsureStoreAsync(app.Services, CancellationToken.None);
            });
}
