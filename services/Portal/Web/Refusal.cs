using Aes.ServiceDefaults.Errors;
using Grpc.Core;

namespace Aes.Portal.Web;

/// <summary>A service's refusal as the services word it: in French and English, and the field it names, if any.</summary>
public sealed record Refusal(StatusCode Status, string French, string English, string? Field)
{
    public static Refusal Of(RpcException exception)
    {
        string Trailer(string name) => exception.Trailers.Get(name)?.ValueBytes is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";
        var french = Trailer(ErrorMappingInterceptor.FrenchTrailer + "-bin");
        var english = Trailer(ErrorMappingInterceptor.EnglishTrailer + "-bin");
        if (french.Length == 0)
        {
            (french, english) = exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                ? ("Le service est momentanément indisponible.", "The service is unavailable for a moment.")
                : (exception.Status.Detail, exception.Status.Detail);
        }
        return new Refusal(exception.StatusCode, french, english, exception.Trailers.GetValue(ErrorMappingInterceptor.FieldTrailer));
    }

    /// <summary>In the reader's language, the field first when there is one (the services' own wording often names it already).</summary>
    public override string ToString()
    {
        var message = Language.T(French, English);
        return Field is null || message.StartsWith(Field, StringComparison.Ordinal) ? message : $"{Field} : {message}";
    }
}
