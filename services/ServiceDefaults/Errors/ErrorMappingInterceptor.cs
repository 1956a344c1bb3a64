using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Aes.ServiceDefaults.Errors;

/// <summary>
/// Turns domain exceptions into gRPC statuses. The detail carries the French and English message;
/// the trailers carry the field and each language separately for clients that show one.
/// </summary>
public sealed class ErrorMappingInterceptor : Interceptor
{
    public const string FieldTrailer = "aes-field";
    public const string FrenchTrailer = "aes-message-fr";
    public const string EnglishTrailer = "aes-message-en";
    public const string ResourceClassTrailer = "aes-resource-class";
    public const string ShortfallTrailer = "aes-shortfall";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (DomainException exception)
        {
            throw ToRpcException(exception);
        }
        catch (Exception exception) when (DatabaseOutage.Is(exception))
        {
            // The caller may simply try again: nothing was saved, and every write is idempotent by its id.
            throw new RpcException(new Status(StatusCode.Unavailable,
                "Service momentanément indisponible : sa base de données ne répond pas ; réessayez. / Temporarily unavailable: its database does not answer; try again."));
        }
    }

    public static RpcException ToRpcException(DomainException exception)
    {
        var code = exception switch
        {
            InvalidFieldException => StatusCode.InvalidArgument,
            NotFoundException => StatusCode.NotFound,
            RuleViolationException => StatusCode.FailedPrecondition,
            ConcurrentChangeException => StatusCode.Aborted,
            ForbiddenException => StatusCode.PermissionDenied,
            CapacityExhaustedException => StatusCode.ResourceExhausted,
            _ => StatusCode.FailedPrecondition,
        };
        var trailers = new Metadata
        {
            // Metadata values must be ASCII; the bilingual text is UTF-8, so it travels base64-free in binary headers.
            { FrenchTrailer + "-bin", System.Text.Encoding.UTF8.GetBytes(exception.Bilingual.French) },
            { EnglishTrailer + "-bin", System.Text.Encoding.UTF8.GetBytes(exception.Bilingual.English) },
        };
        if (exception is InvalidFieldException invalid)
        {
            trailers.Add(FieldTrailer, invalid.Field);
        }
        if (exception is CapacityExhaustedException exhausted)
        {
            trailers.Add(ResourceClassTrailer, exhausted.ResourceClass);
            trailers.Add(ShortfallTrailer, exhausted.Shortfall.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return new RpcException(new Status(code, exception.Bilingual.ToString()), trailers);
    }
}
