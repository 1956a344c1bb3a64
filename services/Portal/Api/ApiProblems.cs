using Aes.ServiceDefaults.Errors;
using Aes.Portal.Web;
using Grpc.Core;

namespace Aes.Portal.Api;

/// <summary>
/// Errors of the public API, all as problem+json with the message in French and English
/// (<c>detail</c> carries both; <c>detailFr</c>, <c>detailEn</c> and <c>field</c> each one).
/// </summary>
public static class ApiProblems
{
    public static IResult Of(int status, string french, string english, string? field = null, IDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?> { ["detailFr"] = french, ["detailEn"] = english };
        if (field is not null)
        {
            extensions["field"] = field;
        }
        foreach (var (key, value) in more ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }
        return Results.Problem(statusCode: status, title: Title(status), detail: $"{french} / {english}", extensions: extensions);
    }

    /// <summary>The field a JSON reading error points at ("vms[0].count"), or "body".</summary>
    public static string FieldOf(System.Text.Json.JsonException json) => json.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";

    /// <summary>A service's refusal, with the status, field and bilingual message it gave.</summary>
    public static IResult From(RpcException exception)
    {
        var status = exception.StatusCode switch
        {
            StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
            StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
            StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
            StatusCode.NotFound => StatusCodes.Status404NotFound,
            StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.Aborted or StatusCode.ResourceExhausted => StatusCodes.Status409Conflict,
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status502BadGateway,
        };
        var refusal = Refusal.Of(exception);
        var more = new Dictionary<string, object?>();
        if (exception.Trailers.GetValue(ErrorMappingInterceptor.ResourceClassTrailer) is { } resourceClass)
        {
            more["resourceClass"] = resourceClass;
            more["shortfall"] = exception.Trailers.GetValue(ErrorMappingInterceptor.ShortfallTrailer);
        }
        return Of(status, refusal.French, refusal.English, refusal.Field is { } field ? JsonPath(field) : null, more);
    }

    /// <summary>A service names its fields as in its messages ("slice.memory_gib"); the API's reader knows them by their JSON names ("slice.memoryGib").</summary>
    public static string JsonPath(string field) => System.Text.RegularExpressions.Regex.Replace(field, "_([a-z0-9])", match => match.Groups[1].Value.ToUpperInvariant());

    /// <summary>What an answer with no message of its own means, for problems the framework writes (401, 404, 405…).</summary>
    public static (string French, string English) Standard(int status) => status switch
    {
        400 => ("La requête est invalide.", "The request is invalid."),
        401 => ("Jeton absent, expiré ou refusé : connectez-vous à l'émetteur.", "Token missing, expired or refused: sign in at the issuer."),
        403 => ("Votre rôle ne vous donne pas accès à cette ressource.", "Your role does not give access to this resource."),
        404 => ("Cette adresse ne désigne rien.", "This address names nothing."),
        405 => ("Cette méthode n'est pas permise à cette adresse.", "This method is not allowed at this address."),
        415 => ("Le corps doit être du JSON (application/json).", "The body must be JSON (application/json)."),
        _ => ("Une erreur est survenue.", "An error occurred."),
    };

    public static string Title(int status) => status switch
    {
        400 => "Requête invalide / Bad request",
        401 => "Non authentifié / Unauthenticated",
        403 => "Accès refusé / Forbidden",
        404 => "Introuvable / Not found",
        409 => "Conflit / Conflict",
        413 => "Trop volumineux / Too large",
        422 => "Clé d'idempotence réutilisée / Idempotency key reused",
        429 => "Trop de requêtes / Too many requests",
        503 => "Indisponible / Unavailable",
        _ => "Erreur / Error",
    };
}
