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
        return Of(status, refusal.French, refusal.English, refusal.Field, more);
    }

    private static string Title(int status) => status switch
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
