using Aes.Contracts.Tenancy.V1;
using Aes.Integration.Tests.Tenancy;
using Aes.Testing;
using Grpc.Core;

namespace Aes.Integration.Tests.Identity;

/// <summary>
/// Burkina Faso's own identity provider, trusted by a real tenancy for BF only, turned against the others: each token is
/// signed by Burkina's real key, as a compromised or careless provider would sign it, and sent to tenancy's gRPC API.
/// </summary>
public sealed class StateIssuerTests(TenancyServiceFixture tenancy) : IClassFixture<TenancyServiceFixture>
{
    private static KeyValuePair<string, object> Claim(string type, object value) => KeyValuePair.Create(type, value);

    /// <summary>A token of Burkina's provider with these roles and grants, its state claim BF as the provider would write.</summary>
    private TenancyService.TenancyServiceClient AsBurkina(string[] roles, string[] grants)
    {
        var token = tenancy.Burkina.Mint(Guid.NewGuid().ToString(),
            [Claim("role", roles), Claim("aes_state", "BF"), Claim("aes_grant", grants)]);
        return new TenancyService.TenancyServiceClient(tenancy.Issuer.Channel(tenancy.GrpcAddress, () => token));
    }

    private async Task<string> AgencyIdAsync(string code) =>
        (await tenancy.Client.ListAgenciesAsync(new ListAgenciesRequest())).Agencies.Single(a => a.Code == code).Id;

    private static async Task<StatusCode> RefusalOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException refused)
        {
            return refused.StatusCode;
        }
    }

    [Fact]
    public async Task Burkinas_issuer_cannot_make_a_confederal_administrator_by_grant_nor_a_malian_operator()
    {
        var before = await tenancy.SnapshotAsync();
        // The role claim looks like a Burkinabè operator's; the grant, which access is decided on, says otherwise.
        var confederal = AsBurkina(["StateOperator"], ["ConfederalAdministrator::"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() =>
            confederal.RegisterAgencyAsync(new RegisterAgencyRequest { StateCode = "NE", Code = "PIRATE-NE", Name = "Pirate" }).ResponseAsync));
        var malian = AsBurkina(["StateOperator"], ["StateOperator:ML:"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() =>
            malian.RegisterAgencyAsync(new RegisterAgencyRequest { StateCode = "ML", Code = "PIRATE-ML", Name = "Pirate" }).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() => malian.ListUsersAsync(new ListUsersRequest { StateCode = "ML" }).ResponseAsync));
        // A grant with no state at all is no grant in BF either.
        var stateless = AsBurkina(["StateOperator"], ["StateOperator::"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() => stateless.ListUsersAsync(new ListUsersRequest { StateCode = "ML" }).ResponseAsync));
        Assert.Equal(before, await tenancy.SnapshotAsync());

        // Burkina's provider still speaks for Burkina's operators, in Burkina.
        var burkinabe = AsBurkina(["StateOperator"], ["StateOperator:BF:"]);
        Assert.NotEmpty((await burkinabe.ListUsersAsync(new ListUsersRequest { StateCode = "BF" })).Users);
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => burkinabe.ListUsersAsync(new ListUsersRequest { StateCode = "ML" }).ResponseAsync));
    }

    [Fact]
    public async Task An_agency_grant_from_burkinas_issuer_reaches_only_an_agency_that_tenancy_places_in_burkina()
    {
        var malianAgency = await AgencyIdAsync("MEF");
        var burkinabeAgency = await AgencyIdAsync("ANPTIC");
        // The grant says BF, but the agency it names is Malian in tenancy's data: the token's word on an agency's state is not taken.
        var disguised = AsBurkina(["AgencyAdministrator"], [$"AgencyAdministrator:BF:{malianAgency}"]);
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => disguised.ListProjectsAsync(new ListProjectsRequest { AgencyId = malianAgency }).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => disguised.ListUsersAsync(new ListUsersRequest { AgencyId = malianAgency }).ResponseAsync));

        var administrator = AsBurkina(["AgencyAdministrator"], [$"AgencyAdministrator:BF:{burkinabeAgency}"]);
        Assert.NotEmpty((await administrator.ListProjectsAsync(new ListProjectsRequest { AgencyId = burkinabeAgency })).Projects);
    }
}
