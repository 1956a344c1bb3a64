using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace Aes.Portal.Web;

/// <summary>French first, English on request (?lang=en, then a cookie); numbers and dates follow the language's culture.</summary>
public static class Language
{
    public const string CookieName = "aes.lang";
    public static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    /// <summary>The text in the current language.</summary>
    public static string T(string french, string english) => IsEnglish ? english : french;

    /// <summary>Whole XOF, grouped as the language writes numbers.</summary>
    public static string Xof(long amount) => $"{amount.ToString("N0", CultureInfo.CurrentCulture)} XOF";

    public static WebApplication UseLanguages(this WebApplication app)
    {
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(French),
            SupportedCultures = [French, English],
            SupportedUICultures = [French, English],
            RequestCultureProviders =
            [
                // ?lang=en|fr, as people write it, stands for the culture the portal formats with.
                new CustomRequestCultureProvider(context => Task.FromResult(context.Request.Query["lang"].ToString() switch
                {
                    "en" => new ProviderCultureResult(English.Name),
                    "fr" => new ProviderCultureResult(French.Name),
                    _ => (ProviderCultureResult?)null,
                })),
                new CookieRequestCultureProvider { CookieName = CookieName },
            ],
        };
        app.UseRequestLocalization(options);
        // ?lang=fr|en also stays for the next pages and the live connection.
        app.Use(async (context, next) =>
        {
            if (context.Request.Query["lang"].ToString() is "fr" or "en" && !context.Request.Path.StartsWithSegments("/api"))
            {
                var culture = context.Request.Query["lang"] == "en" ? English : French;
                context.Response.Cookies.Append(CookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), SameSite = SameSiteMode.Lax, IsEssential = true });
            }
            await next(context);
        });
        return app;
    }
}
