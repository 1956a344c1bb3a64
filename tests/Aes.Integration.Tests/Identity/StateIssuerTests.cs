using Aes.Contracts.Tenancy.V1;
using Aes.Integration.Tests.Tenancy;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Aes.Integration.Tests.Identity;

/// <summary>
/// Burkina Faso's own identity provider, trusted by a real tenancy for BF only, turned against the others: each token is
/// signed by Burkina's real key, as a compromised or careless provider would sign it, and sent to tenancy's gRPC API.
/// Its subjects are AES users only through the links Burkina's operator makes.
/// </summary>
public sealed class StateIssuerTests(TenancyServiceFixture tenancy) : IClassFixture<TenancyServiceFixture>
{
    private const string DemoPassword = "aes-demo-2026";

    private static KeyValuePair<string, object> Claim(string type, object value) => KeyValuePair.Create(type, value);

    private TenancyService.TenancyServiceClient ClientWith(string token) => new(tenancy.Issuer.Channel(tenancy.GrpcAddress, () => token));

    /// <summary>A token of Burkina's provider for its subject, with these roles and grants, its state claim BF as the provider would write.</summary>
    private TenancyService.TenancyServiceClient AsBurkina(string subject, string[] roles, string[] grants) =>
        ClientWith(tenancy.Burkina.Mint(subject, [Claim("role", roles), Claim("aes_state", "BF"), Claim("aes_grant", grants)]));

    private TenancyService.TenancyServiceClient AsUnlinked(string[] roles, string[] grants) => AsBurkina(Guid.NewGuid().ToString(), roles, grants);

    /// <summary>A demo user through tenancy's own sign-in (the confederal issuer), by the code flow.</summary>
    private async Task<TenancyService.TenancyServiceClient> AsDemoUserAsync(string userName)
    {
        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        return ClientWith(await flow.AccessTokenForAsync(userName, DemoPassword));
    }

    /// <summary>Burkina's operator links the subject <c>bf-idp/{user}</c> of Burkina's provider to the demo user.</summary>
    private async Task<string> LinkAsync(string userName)
    {
        var subject = $"bf-idp/{userName}/{Guid.NewGuid():N}";
        var link = await (await AsDemoUserAsync("op.bf")).LinkExternalIdentityAsync(new LinkExternalIdentityRequest
        {
            UserId = tenancy.UserIds[userName], Issuer = tenancy.Burkina.Url, Subject = subject,
        });
        Assert.Equal((tenancy.UserIds[userName], "BF", userName), (link.UserId, link.StateCode, link.UserName));
        return subject;
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
        var operatorSubject = await LinkAsync("op.bf");
        var before = await tenancy.SnapshotAsync();
        // The role claim looks like a Burkinabè operator's; the grant, which access is decided on, says otherwise.
        var confederal = AsBurkina(operatorSubject, ["StateOperator"], ["ConfederalAdministrator::"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() =>
            confederal.RegisterAgencyAsync(new RegisterAgencyRequest { StateCode = "NE", Code = "PIRATE-NE", Name = "Pirate" }).ResponseAsync));
        var malian = AsBurkina(operatorSubject, ["StateOperator"], ["StateOperator:ML:"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() =>
            malian.RegisterAgencyAsync(new RegisterAgencyRequest { StateCode = "ML", Code = "PIRATE-ML", Name = "Pirate" }).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() => malian.ListUsersAsync(new ListUsersRequest { StateCode = "ML" }).ResponseAsync));
        // A grant with no state at all is no grant in BF either.
        var stateless = AsBurkina(operatorSubject, ["StateOperator"], ["StateOperator::"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() => stateless.ListUsersAsync(new ListUsersRequest { StateCode = "ML" }).ResponseAsync));
        Assert.Equal(before, await tenancy.SnapshotAsync());

        // Burkina's provider still speaks for Burkina's linked operator, in Burkina.
        var burkinabe = AsBurkina(operatorSubject, ["StateOperator"], ["StateOperator:BF:"]);
        Assert.NotEmpty((await burkinabe.ListUsersAsync(new ListUsersRequest { StateCode = "BF" })).Users);
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => burkinabe.ListUsersAsync(new ListUsersRequest { StateCode = "ML" }).ResponseAsync));
    }

    [Fact]
    public async Task An_agency_grant_from_burkinas_issuer_reaches_only_an_agency_that_tenancy_places_in_burkina()
    {
        var malianAgency = await AgencyIdAsync("MEF");
        var burkinabeAgency = await AgencyIdAsync("ANPTIC");
        var administratorSubject = await LinkAsync("admin.anptic.bf");
        // The grant says BF, but the agency it names is Malian in tenancy's data: the token's word on an agency's state is not taken.
        var disguised = AsBurkina(administratorSubject, ["AgencyAdministrator"], [$"AgencyAdministrator:BF:{malianAgency}"]);
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => disguised.ListProjectsAsync(new ListProjectsRequest { AgencyId = malianAgency }).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => disguised.ListUsersAsync(new ListUsersRequest { AgencyId = malianAgency }).ResponseAsync));

        var administrator = AsBurkina(administratorSubject, ["AgencyAdministrator"], [$"AgencyAdministrator:BF:{burkinabeAgency}"]);
        Assert.NotEmpty((await administrator.ListProjectsAsync(new ListProjectsRequest { AgencyId = burkinabeAgency })).Projects);
    }

    [Fact]
    public async Task Burkinas_issuer_naming_a_malian_operators_id_as_subject_cannot_sign_for_mali()
    {
        // An agreement for Mali to use a Burkinabè facility, signed by Burkina as host: Mali's signature is all it lacks.
        var start = DateTime.UtcNow.AddDays(10);
        var agreement = await tenancy.Client.DraftAgreementAsync(new DraftAgreementRequest
        {
            ActorUserId = tenancy.UserIds["admin.aes"], FacilityId = tenancy.Facilities["BF-OUA-1"].Id, GuestStateCode = "ML",
            SliceByClass = { ByClassWire.Size<ResourceAmount>(4, 8, 100) }, AllowedClassifications = { DataClassification.Internal },
            StartsAt = Timestamp.FromDateTime(start), EndsAt = Timestamp.FromDateTime(start.AddMonths(3)),
        });
        await (await AsDemoUserAsync("op.bf")).SignAgreementAsync(new SignAgreementRequest { AgreementId = agreement.Id });

        // Burkina's provider, as host operator, names Mali's operator as the subject: that id is no subject Burkina linked.
        var impostor = AsBurkina(tenancy.UserIds["op.ml"], ["StateOperator"], ["StateOperator:BF:"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() =>
            impostor.SignAgreementAsync(new SignAgreementRequest { AgreementId = agreement.Id, ActorUserId = tenancy.UserIds["op.ml"] }).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() =>
            impostor.SignAgreementAsync(new SignAgreementRequest { AgreementId = agreement.Id }).ResponseAsync));
        var after = await tenancy.Client.GetAgreementAsync(new GetAgreementRequest { Id = agreement.Id });
        Assert.Equal(AgreementStatus.SignedByHost, after.Status);
        Assert.Equal("", after.GuestSignature?.UserId ?? "");
    }

    [Fact]
    public async Task Only_burkinas_operator_links_burkinas_subjects_to_burkinas_users_and_an_unlinked_subject_is_nobody()
    {
        var opMl = await AsDemoUserAsync("op.ml");
        var opBf = await AsDemoUserAsync("op.bf");
        var subject = $"bf-idp/{Guid.NewGuid():N}";
        LinkExternalIdentityRequest Request(string user, string? issuer = null) => new() { UserId = tenancy.UserIds[user], Issuer = issuer ?? tenancy.Burkina.Url, Subject = subject };

        // Mali's operator does not link Burkina's people; Burkina's does not link Mali's, nor a confederal user, nor through an issuer not Burkina's.
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => opMl.LinkExternalIdentityAsync(Request("agent.anptic.bf")).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await RefusalOf(() => opBf.LinkExternalIdentityAsync(Request("op.ml")).ResponseAsync));
        var notBurkinas = await Assert.ThrowsAsync<RpcException>(() => opBf.LinkExternalIdentityAsync(Request("agent.anptic.bf", tenancy.Issuer.Url)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, notBurkinas.StatusCode);
        Assert.Contains("issuer", notBurkinas.Status.Detail);

        var agent = AsBurkina(subject, ["Requester"], [$"Requester:BF:{await AgencyIdAsync("ANPTIC")}"]);
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() => agent.ListProjectsAsync(new ListProjectsRequest()).ResponseAsync));

        await opBf.LinkExternalIdentityAsync(Request("agent.anptic.bf"));
        // Linked, the subject is that user: the projects a requester sees are the ones they work on.
        var projects = await agent.ListProjectsAsync(new ListProjectsRequest());
        Assert.Equal(["Portail des services publics"], projects.Projects.Select(p => p.Name));
        // One subject, one user: it is not linked to a second one without being unlinked first.
        var twice = await Assert.ThrowsAsync<RpcException>(() => opBf.LinkExternalIdentityAsync(Request("admin.anptic.bf")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, twice.StatusCode);
        var listed = await opBf.ListExternalIdentityLinksAsync(new ListExternalIdentityLinksRequest { StateCode = "BF" });
        Assert.Contains(listed.Links, l => l.Subject == subject && l.UserName == "agent.anptic.bf");
        Assert.Equal(new[] { (tenancy.Burkina.Url, "BF") }, listed.Issuers.Select(i => (i.Issuer, i.StateCode)));

        await opBf.UnlinkExternalIdentityAsync(new UnlinkExternalIdentityRequest { UserId = tenancy.UserIds["agent.anptic.bf"], Issuer = tenancy.Burkina.Url, Subject = subject });
        Assert.Equal(StatusCode.Unauthenticated, await RefusalOf(() => agent.ListProjectsAsync(new ListProjectsRequest()).ResponseAsync));
    }
}
