using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>
/// The code flow with PKCE for a command line (RFC 8252): the user opens the printed address in a browser,
/// signs in on the issuer's page, and the browser brings the code back to this process on the loopback address.
/// </summary>
public static class Login
{
    public const string ClientId = "aes-cli";
    public const string RedirectUri = "http://127.0.0.1:7890/callback";

    public static async Task<int> RunAsync(string issuer, IAnsiConsole console, CancellationToken cancellationToken)
    {
        issuer = issuer.TrimEnd('/') + "/";
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var address = $"{issuer}connect/authorize?client_id={ClientId}&response_type=code&scope=aes%20offline_access"
            + $"&redirect_uri={Uri.EscapeDataString(RedirectUri)}&code_challenge={challenge}&code_challenge_method=S256&state={state}";

        using var listener = new HttpListener();
        listener.Prefixes.Add(RedirectUri.TrimEnd('/') + "/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException exception)
        {
            console.MarkupLine($"[red]{Markup.Escape(RedirectUri)} est déjà pris (une autre connexion en cours ?) / is taken (another sign-in running?):[/] {Markup.Escape(exception.Message)}");
            return ExitCodes.Refused;
        }
        console.MarkupLine("[bold]Ouvrez cette adresse dans un navigateur pour vous connecter / Open this address in a browser to sign in:[/]");
        // Unwrapped, whatever the terminal width: the address is copied as a whole.
        console.Profile.Out.Writer.WriteLine(address);

        var context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        var code = context.Request.QueryString["code"];
        var returnedState = context.Request.QueryString["state"];
        var page = code is not null && returnedState == state
            ? "Connexion réussie, vous pouvez fermer cette page. / Signed in, you may close this page."
            : "Connexion refusée. / Sign-in refused.";
        var body = Encoding.UTF8.GetBytes($"<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><p>{page}</p></html>");
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.OutputStream.WriteAsync(body, cancellationToken);
        context.Response.Close();
        if (code is null || returnedState != state)
        {
            console.MarkupLine("[red]Connexion refusée / sign-in refused.[/]");
            return ExitCodes.Refused;
        }

        using var http = new HttpClient();
        using var response = await http.PostAsync($"{issuer}connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = ClientId, ["code"] = code,
            ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            console.MarkupLine($"[red]L'émetteur a refusé le code / the issuer refused the code:[/] {Markup.Escape(await response.Content.ReadAsStringAsync(cancellationToken))}");
            return ExitCodes.Refused;
        }
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken))!;
        var credentials = new Credentials(issuer, tokens.AccessToken, tokens.RefreshToken, DateTimeOffset.UtcNow.AddSeconds(tokens.ExpiresIn));
        credentials.Save();
        var who = Token.Describe(tokens.AccessToken);
        console.MarkupLine($"[green]Connecté / signed in:[/] {Markup.Escape(who.Name)} ({Markup.Escape(string.Join(", ", who.Grants))})");
        return ExitCodes.Ok;
    }

    /// <summary>An automation client signs in with its id and secret (client credentials); no browser.</summary>
    public static async Task<int> AsClientAsync(string issuer, string clientId, string clientSecret, IAnsiConsole console, CancellationToken cancellationToken)
    {
        issuer = issuer.TrimEnd('/') + "/";
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{issuer}connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = clientSecret,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            console.MarkupLine($"[red]L'émetteur a refusé ce client / the issuer refused this client:[/] {Markup.Escape(await response.Content.ReadAsStringAsync(cancellationToken))}");
            return ExitCodes.Refused;
        }
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken))!;
        new Credentials(issuer, tokens.AccessToken, null, DateTimeOffset.UtcNow.AddSeconds(tokens.ExpiresIn)).Save();
        var who = Token.Describe(tokens.AccessToken);
        console.MarkupLine($"[green]Connecté / signed in:[/] {Markup.Escape(who.Name)} ({Markup.Escape(string.Join(", ", who.Grants))})");
        return ExitCodes.Ok;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
