using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Aes.Contracts.Tenancy.V1;
using Aes.Integration.Tests.Tenancy;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Aes.Integration.Tests.Identity;

/// <summary>Tenancy as the confederal OpenID Connect issuer, and its gRPC API behind the tokens it and others sign.</summary>
public sealed class ConfederalIssuerTests(TenancyServiceFixture tenancy) : IClassFixture<TenancyServiceFixture>
{
    private const string DemoPassword = "aes-demo-2026";

    private TenancyService.TenancyServiceClient ClientWith(string token) =>
        new(tenancy.Issuer.Channel(tenancy.GrpcAddress, () => token));

    [Fact]
    public async Task A_user_signs_in_by_the_code_flow_with_pkce_and_the_token_carries_role_and_scope()
    {
        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        var tokens = await flow.TokensForAsync("op.bf", DemoPassword, scope: "openid aes offline_access");

        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.True(tokens.TryGetProperty("refresh_token", out _));
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(accessToken);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal(["aes"], jwt.Audiences);
        var claims = TestIssuer.Read(accessToken);
        Assert.Equal(tenancy.HttpAddress, claims.FindFirst("iss")!.Value);
        Assert.Equal(tenancy.UserIds["op.bf"], claims.FindFirst("sub")!.Value);
        Assert.Equal("StateOperator", claims.FindFirst("role")!.Value);
        Assert.Equal("BF", claims.FindFirst("aes_state")!.Value);
        Assert.Equal("StateOperator:BF:", claims.FindFirst("aes_grant")!.Value);

        var agent = TestIssuer.Read((await new CodeFlowClient(tenancy.HttpAddress).TokensForAsync("agent.anptic.bf", DemoPassword)).GetProperty("access_token").GetString()!);
        var agency = (await tenancy.Client.ListAgenciesAsync(new ListAgenciesRequest())).Agencies.Single(a => a.Code == "ANPTIC");
        Assert.Equal(("Requester", "BF", agency.Id), (agent.FindFirst("role")!.Value, agent.FindFirst("aes_state")!.Value, agent.FindFirst("aes_agency")!.Value));

        // The token opens the API, and acts for its own user only.
        var agencies = await ClientWith(accessToken).ListAgenciesAsync(new ListAgenciesRequest());
        Assert.Contains(agencies.Agencies, a => a.Code == "ANPTIC");
        // The id_token the same issuer signed for the same user is for the client that asked, not a key to the API.
        var idToken = await Assert.ThrowsAsync<RpcException>(() => ClientWith(tokens.GetProperty("id_token").GetString()!).ListAgenciesAsync(new ListAgenciesRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, idToken.StatusCode);
        var other = await Assert.ThrowsAsync<RpcException>(() => ClientWith(accessToken).SignAgreementAsync(new SignAgreementRequest
        {
            AgreementId = Guid.NewGuid().ToString(), ActorUserId = tenancy.UserIds["op.ml"],
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);

        // A refresh gives a new access token for the same user.
        var refreshed = await flow.PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = CodeFlowClient.ClientId, ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
        });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var again = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal(tenancy.UserIds["op.bf"], TestIssuer.Read(again).FindFirst("sub")!.Value);
    }

    [Fact]
    public async Task A_wrong_password_gets_the_page_again_and_no_code()
    {
        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        var toLogin = await flow.GetAsync(flow.AuthorizeUrl(flow.Challenge));
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);

        var refused = await flow.SignInAsync(toLogin.Headers.Location!.ToString(), "op.bf", "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Identifiant ou mot de passe incorrect", page);
        Assert.Contains("Wrong user name or password", page);
        Assert.Null(refused.Headers.Location);
        // Still not signed in: authorising sends to the sign-in page again.
        Assert.Contains("/account/login", (await flow.GetAsync(flow.AuthorizeUrl(flow.Challenge))).Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_code_flow_requires_pkce_and_the_code_only_goes_with_its_verifier()
    {
        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        var withoutChallenge = await flow.GetAsync(flow.AuthorizeUrl(challenge: null));
        Assert.Equal(HttpStatusCode.BadRequest, withoutChallenge.StatusCode);
        Assert.Contains("code_challenge", await withoutChallenge.Content.ReadAsStringAsync());

        var toLogin = await flow.GetAsync(flow.AuthorizeUrl(flow.Challenge));
        var signedIn = await flow.SignInAsync(toLogin.Headers.Location!.ToString(), "admin.mef.ml", DemoPassword);
        var code = CodeFlowClient.CodeOf((await flow.GetAsync(signedIn.Headers.Location!.ToString())).Headers.Location!);
        var wrongVerifier = await flow.ExchangeAsync(code, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier.StatusCode);
        Assert.Contains("invalid_grant", await wrongVerifier.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_service_gets_a_token_by_client_credentials_and_a_wrong_secret_gets_none()
    {
        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        var granted = await flow.PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "aes-test-service", ["client_secret"] = TenancyServiceFixture.ServiceClientSecret,
        });
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var token = JsonDocument.Parse(await granted.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        var claims = TestIssuer.Read(token);
        Assert.Equal(("aes-test-service", "service"), (claims.FindFirst("sub")!.Value, claims.FindFirst("role")!.Value));
        Assert.NotEmpty((await ClientWith(token).ListAgenciesAsync(new ListAgenciesRequest())).Agencies);

        var wrong = await flow.PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "aes-test-service", ["client_secret"] = "guess",
        });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("invalid_client", await wrong.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A service identity passes the per-user rules and may name the user it acts for, so it reaches only what its work needs:
    /// the real issuer's tokens of the tests' client (allowed ListAgencies alone) and of provisioning (quota's claims alone)
    /// are refused everything else here, naming an operator or not, and nothing is written.
    /// </summary>
    [Fact]
    public async Task A_service_identity_calls_only_the_methods_listed_for_it_and_names_a_user_nowhere_else()
    {
        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        async Task<string> TokenOfAsync(string client)
        {
            var granted = await flow.PostTokenAsync(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = client, ["client_secret"] = TenancyServiceFixture.ServiceClientSecret,
            });
            Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
            return JsonDocument.Parse(await granted.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        }
        var usersBefore = (await tenancy.Client.ListUsersAsync(new ListUsersRequest())).Users.Count;
        foreach (var client in new[] { "aes-test-service", "aes-provisioning" })
        {
            var service = ClientWith(await TokenOfAsync(client));
            var read = await Assert.ThrowsAsync<RpcException>(() => service.ListUsersAsync(new ListUsersRequest()).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
            var write = await Assert.ThrowsAsync<RpcException>(() => service.CreateUserAsync(new CreateUserRequest
            {
                UserName = $"intrus.{Guid.NewGuid():N}"[..20], DisplayName = "Intrus",
                Roles = { new RoleAssignment { Role = Role.StateOperator, StateCode = "ML" } },
            }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, write.StatusCode);
            var sign = await Assert.ThrowsAsync<RpcException>(() => service.SignAgreementAsync(new SignAgreementRequest
            {
                AgreementId = Guid.NewGuid().ToString(), ActorUserId = tenancy.UserIds["op.ml"],
            }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, sign.StatusCode);
        }
        Assert.NotEmpty((await ClientWith(await TokenOfAsync("aes-test-service")).ListAgenciesAsync(new ListAgenciesRequest())).Agencies);
        Assert.Equal(usersBefore, (await tenancy.Client.ListUsersAsync(new ListUsersRequest())).Users.Count);
    }

    [Fact]
    public async Task Missing_expired_forged_and_untrusted_tokens_are_unauthenticated_and_change_nothing()
    {
        var usersBefore = (await tenancy.Client.ListUsersAsync(new ListUsersRequest())).Users.Count;
        CreateUserRequest NewUser() => new() { UserName = $"intrus.{Guid.NewGuid():N}"[..20], DisplayName = "Intrus" };
        await using var untrusted = await TestIssuer.StartAsync();
        using var stranger = RSA.Create(2048);
        var tokens = new Dictionary<string, string>
        {
            ["expired"] = tenancy.Issuer.Mint(tenancy.UserIds["admin.aes"], issuedAt: DateTime.UtcNow.AddHours(-2), lifetime: TimeSpan.FromHours(1)),
            ["forged"] = tenancy.Issuer.Mint(tenancy.UserIds["admin.aes"], signWith: new RsaSecurityKey(stranger) { KeyId = tenancy.Issuer.Url }),
            ["untrusted"] = untrusted.Mint(tenancy.UserIds["admin.aes"]),
            ["not a token"] = "abc.def.ghi",
        };
        using (var bare = Grpc.Net.Client.GrpcChannel.ForAddress(tenancy.GrpcAddress))
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => new TenancyService.TenancyServiceClient(bare).CreateUserAsync(NewUser()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        }
        foreach (var (kind, token) in tokens)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => ClientWith(token).CreateUserAsync(NewUser()).ResponseAsync);
            Assert.True(refused.StatusCode == StatusCode.Unauthenticated, $"{kind}: {refused.Status}");
        }
        Assert.Equal(usersBefore, (await tenancy.Client.ListUsersAsync(new ListUsersRequest())).Users.Count);
    }

    [Fact]
    public async Task The_readmes_token_script_signs_in_and_its_token_opens_the_api()
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(RepositoryPaths.Root, "deploy", "scripts", "token.sh"), "audit.ml", tenancy.HttpAddress })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["AES_PASSWORD"] = DemoPassword;
        using var script = System.Diagnostics.Process.Start(start)!;
        var token = (await script.StandardOutput.ReadToEndAsync()).Trim();
        var errors = await script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        Assert.True(script.ExitCode == 0, errors);
        Assert.Equal(tenancy.UserIds["audit.ml"], TestIssuer.Read(token).FindFirst("sub")!.Value);
        Assert.NotEmpty((await ClientWith(token).ListFacilitiesAsync(new ListFacilitiesRequest())).Facilities);

        start.Environment["AES_PASSWORD"] = "wrong";
        using var refused = System.Diagnostics.Process.Start(start)!;
        var refusal = await refused.StandardError.ReadToEndAsync();
        await refused.WaitForExitAsync();
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("sign-in refused", refusal);
    }

    [Fact]
    public async Task An_agency_administrator_creates_an_automation_client_whose_tokens_carry_its_one_role()
    {
        var admin = ClientWith(await new CodeFlowClient(tenancy.HttpAddress).AccessTokenForAsync("admin.mef.ml", DemoPassword));
        var agencies = (await tenancy.Client.ListAgenciesAsync(new ListAgenciesRequest())).Agencies;
        var mef = agencies.Single(a => a.Code == "MEF").Id;
        var client = await admin.CreateAutomationClientAsync(new CreateAutomationClientRequest
        {
            DisplayName = "Chaîne de déploiement du Budget", Assignment = new RoleAssignment { Role = Role.Requester, AgencyId = mef },
        });
        Assert.StartsWith("auto-", client.ClientId);
        Assert.Equal(64, client.ClientSecret.Length);

        using var flow = new CodeFlowClient(tenancy.HttpAddress);
        var granted = await flow.PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret,
        });
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var claims = TestIssuer.Read(JsonDocument.Parse(await granted.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!);
        Assert.Equal((client.UserId, "Requester", "ML", mef), (claims.FindFirst("sub")!.Value, claims.FindFirst("role")!.Value,
            claims.FindFirst("aes_state")!.Value, claims.FindFirst("aes_agency")!.Value));
        // The secret is kept hashed by the issuer, and the service account is a user like any other.
        Assert.Contains((await tenancy.Client.ListUsersAsync(new ListUsersRequest())).Users, u => u.Id == client.UserId && u.UserName == client.ClientId);

        // Not for another agency, and never a confederal role.
        var anptic = agencies.Single(a => a.Code == "ANPTIC").Id;
        var foreign = await Assert.ThrowsAsync<RpcException>(() => admin.CreateAutomationClientAsync(new CreateAutomationClientRequest
        {
            DisplayName = "x", Assignment = new RoleAssignment { Role = Role.Requester, AgencyId = anptic },
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        var confederal = ClientWith(await new CodeFlowClient(tenancy.HttpAddress).AccessTokenForAsync("admin.aes", DemoPassword));
        var tooMuch = await Assert.ThrowsAsync<RpcException>(() => confederal.CreateAutomationClientAsync(new CreateAutomationClientRequest
        {
            DisplayName = "x", Assignment = new RoleAssignment { Role = Role.ConfederalAdministrator },
        }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "assignment.role"), (tooMuch.StatusCode, tooMuch.Trailers.GetValue("aes-field")));
    }

    [Fact]
    public async Task An_agency_administrator_cannot_slip_a_wider_role_beside_one_of_their_agency_and_nothing_is_written()
    {
        var admin = ClientWith(await new CodeFlowClient(tenancy.HttpAddress).AccessTokenForAsync("admin.mef.ml", DemoPassword));
        var agencies = (await tenancy.Client.ListAgenciesAsync(new ListAgenciesRequest())).Agencies;
        var mef = agencies.Single(a => a.Code == "MEF").Id;
        var anptic = agencies.Single(a => a.Code == "ANPTIC").Id;
        RoleAssignment Agent(string agency) => new() { Role = Role.Requester, AgencyId = agency };
        var attempts = new (string Name, RoleAssignment[] Roles)[]
        {
            ("escalade.confederale", [Agent(mef), new RoleAssignment { Role = Role.ConfederalAdministrator }]),
            ("escalade.operateur", [Agent(mef), new RoleAssignment { Role = Role.StateOperator, StateCode = "ML" }]),
            ("escalade.auditeur", [Agent(mef), new RoleAssignment { Role = Role.Auditor }]),
            ("escalade.etranger", [Agent(mef), Agent(anptic)]),
        };
        foreach (var (name, roles) in attempts)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => admin.CreateUserAsync(new CreateUserRequest
            {
                UserName = name, DisplayName = name, Roles = { roles },
            }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        var users = (await tenancy.Client.ListUsersAsync(new ListUsersRequest())).Users;
        Assert.DoesNotContain(users, u => u.UserName.StartsWith("escalade.", StringComparison.Ordinal));

        // Two roles of their own agency are theirs to give.
        var colleague = await admin.CreateUserAsync(new CreateUserRequest
        {
            UserName = "adjoint.mef.ml", DisplayName = "Adjoint", Roles = { Agent(mef), new RoleAssignment { Role = Role.AgencyAdministrator, AgencyId = mef } },
        });
        Assert.Equal(2, colleague.Roles.Count);
    }

    [Fact]
    public async Task Passwords_are_stored_as_salted_hashes()
    {
        await using var connection = new NpgsqlConnection(tenancy.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"UserName\", \"PasswordHash\" FROM \"Users\" WHERE \"UserName\" IN ('op.ml', 'op.bf')", connection);
        var hashes = new Dictionary<string, string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                hashes[reader.GetString(0)] = reader.GetString(1);
            }
        }
        Assert.Equal(2, hashes.Count);
        Assert.All(hashes.Values, hash =>
        {
            Assert.DoesNotContain(DemoPassword, hash);
            Assert.Equal(0x01, Convert.FromBase64String(hash)[0]); // ASP.NET Core Identity v3: PBKDF2 with a random salt
        });
        Assert.NotEqual(hashes["op.ml"], hashes["op.bf"]);
    }
}
