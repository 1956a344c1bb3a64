using System.Net;
using System.Security.Claims;
using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aes.Tenancy.Identity;

/// <summary>The issuer's own pages and endpoints: sign-in, authorisation (code + PKCE) and token.</summary>
public static partial class IdentityEndpoints
{
    public const string LoginScheme = "aes-login";
    public const string LoginPath = "/account/login";
    public const string EndSessionPath = "/connect/endsession";

    public static WebApplication MapIdentityEndpoints(this WebApplication app)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], AuthorizeAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/connect/token", TokenAsync).AllowAnonymous().DisableAntiforgery();
        app.MapGet(LoginPath, LoginPage).AllowAnonymous();
        app.MapPost(LoginPath, LoginAsync).AllowAnonymous().DisableAntiforgery();
        app.MapMethods(EndSessionPath, ["GET", "POST"], (Delegate)EndSessionAsync).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    /// <summary>Ends the session kept by the sign-in cookie, then sends the browser back where the client asked, if registered.</summary>
    private static async Task<IResult> EndSessionAsync(HttpContext context)
    {
        await context.SignOutAsync(LoginScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = LoginPath }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, TokenPrincipals principals)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not pass an authorisation request.");
        var login = await context.AuthenticateAsync(LoginScheme);
        if (!login.Succeeded || !Guid.TryParse(login.Principal.FindFirstValue(Claims.Subject), out var userId))
        {
            var query = context.Request.HasFormContentType
                ? QueryString.Create((await context.Request.ReadFormAsync()).Select(f => KeyValuePair.Create(f.Key, f.Value)))
                : context.Request.QueryString;
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + query }, [LoginScheme]);
        }
        var principal = await principals.ForUserAsync(userId, context.RequestAborted);
        if (principal is null)
        {
            return Refuse(Errors.AccessDenied, "This user no longer exists.");
        }
        principal.SetScopes(request.GetScopes());
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, TokenPrincipals principals, IOpenIddictApplicationManager applications)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not pass a token request.");
        ClaimsPrincipal? principal;
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!, context.RequestAborted);
            var properties = application is null ? null : await applications.GetPropertiesAsync(application, context.RequestAborted);
            if (properties is not null && properties.TryGetValue(ClientRegistry.ServiceProperty, out _))
            {
                principal = TokenPrincipals.ForService(request.ClientId!);
            }
            else if (properties is not null && properties.TryGetValue(ClientRegistry.UserProperty, out var user) && Guid.TryParse(user.GetString(), out var userId))
            {
                principal = await principals.ForUserAsync(userId, context.RequestAborted);
            }
            else
            {
                return Refuse(Errors.UnauthorizedClient, "This client does not act for anyone.");
            }
        }
        else if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var granted = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            principal = Guid.TryParse(granted.Principal?.GetClaim(Claims.Subject), out var userId)
                ? await principals.ForUserAsync(userId, context.RequestAborted)
                : null;
            principal?.SetScopes(granted.Principal!.GetScopes());
        }
        else
        {
            return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
        }
        return principal is null
            ? Refuse(Errors.InvalidGrant, "The user this grant was for no longer exists.")
            : Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static IResult LoginPage(HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
        RenderLogin(context, antiforgery, returnUrl, userName: "", refusal: null);

    private static async Task<IResult> LoginAsync(HttpContext context, IAntiforgery antiforgery, TenancyDbContext db, SignInThrottle throttle, ILoggerFactory loggers)
    {
        if (!context.Request.HasFormContentType)
        {
            return Results.BadRequest();
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }
        var userName = form["username"].ToString().Trim();
        var returnUrl = form["returnUrl"].ToString();
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        // A locked account or address is refused before its password is even looked at: guessing on gains nothing.
        if (await throttle.LockOfAsync(userName, address, context.RequestAborted) is { } locked)
        {
            LogLocked(loggers.CreateLogger(typeof(IdentityEndpoints)), userName, address, locked.UntilUtc);
            return RenderLogin(context, antiforgery, returnUrl, userName, Refusal.LockedOut(locked));
        }
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName, context.RequestAborted);
        if (user is null || !Passwords.Verify(user, form["password"].ToString()))
        {
            LogRefused(loggers.CreateLogger(typeof(IdentityEndpoints)), userName, address);
            await throttle.RecordFailureAsync(userName, address, context.RequestAborted);
            return RenderLogin(context, antiforgery, returnUrl, userName, Refusal.WrongPassword);
        }
        await throttle.ForgetAccountAsync(userName, context.RequestAborted);
        var identity = new ClaimsIdentity(LoginScheme, AesClaims.Name, AesClaims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Id.ToString()));
        identity.AddClaim(new Claim(AesClaims.Name, user.UserName));
        await context.SignInAsync(LoginScheme, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(LocalUrls.LocalOrHome(returnUrl));
    }

    /// <summary>Why the sign-in page is shown again, in both languages, and with which status.</summary>
    private sealed record Refusal(string French, string English, int Status)
    {
        public static readonly Refusal WrongPassword = new("Identifiant ou mot de passe incorrect.", "Wrong user name or password.", StatusCodes.Status401Unauthorized);

        public static Refusal LockedOut(SignInThrottle.Lock locked)
        {
            var until = locked.UntilUtc.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            return locked.OnAccount
                ? new($"Trop de tentatives de connexion pour ce compte : il est verrouillé jusqu'à {until} UTC. Réessayez ensuite.",
                    $"Too many sign-in attempts for this account: it is locked until {until} UTC. Try again then.", StatusCodes.Status429TooManyRequests)
                : new($"Trop de tentatives de connexion depuis votre adresse : elles sont bloquées jusqu'à {until} UTC. Réessayez ensuite.",
                    $"Too many sign-in attempts from your address: they are blocked until {until} UTC. Try again then.", StatusCodes.Status429TooManyRequests);
        }
    }

    private static IResult RenderLogin(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string userName, Refusal? refusal)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");
        var error = refusal is null
            ? ""
            : $"""<p class="error" role="alert" lang="fr">{Encode(refusal.French)}</p><p class="error" lang="en">{Encode(refusal.English)}</p>""";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="fr">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Connexion · Sign in — AES</title>
            <link rel="icon" type="image/svg+xml" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'%3E%3Crect width='64' height='64' rx='12' fill='%230b5d3b'/%3E%3Ctext x='32' y='41' font-family='sans-serif' font-size='24' font-weight='700' fill='%23fff' text-anchor='middle'%3EAES%3C/text%3E%3C/svg%3E">
            <style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}label{display:block;margin-top:1rem}
            input{width:100%;padding:.5rem;font-size:1rem}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}
            .en{color:#555;font-size:.9em}</style></head>
            <body>
            <h1>Connexion <span class="en" lang="en">Sign in</span></h1>
            <p>Place de marché de l'hébergement de la Confédération des États du Sahel. <span class="en" lang="en">AES hosting marketplace.</span></p>
            {{error}}
            <form method="post" action="{{LoginPath}}">
            <input type="hidden" name="{{tokens.FormFieldName}}" value="{{Encode(tokens.RequestToken)}}">
            <input type="hidden" name="returnUrl" value="{{Encode(returnUrl)}}">
            <label for="username">Identifiant <span class="en" lang="en">User name</span></label>
            <input id="username" name="username" autocomplete="username" required value="{{Encode(userName)}}">
            <label for="password">Mot de passe <span class="en" lang="en">Password</span></label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Se connecter <span lang="en">· Sign in</span></button>
            </form>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: refusal?.Status ?? StatusCodes.Status200OK);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in refused for {UserName} from {Address}")]
    private static partial void LogRefused(ILogger logger, string userName, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in for {UserName} from {Address} refused unchecked: locked until {UntilUtc:u}")]
    private static partial void LogLocked(ILogger logger, string userName, string address, DateTime untilUtc);
}
