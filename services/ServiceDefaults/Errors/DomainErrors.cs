namespace Aes.ServiceDefaults.Errors;

/// <summary>A message in the product's two languages, French first.</summary>
public sealed record BilingualMessage(string French, string English)
{
    public override string ToString() => $"{French} / {English}";
}

/// <summary>Base of the errors a caller can fix or understand; each maps to one gRPC status and HTTP code.</summary>
public abstract class DomainException(BilingualMessage message) : Exception(message.ToString())
{
    public BilingualMessage Bilingual { get; } = message;
}

/// <summary>Bad input: maps to gRPC InvalidArgument and HTTP 400, naming the field at fault.</summary>
public sealed class InvalidFieldException(string field, BilingualMessage message)
    : DomainException(new BilingualMessage($"{field} : {message.French}", $"{field}: {message.English}"))
{
    public string Field { get; } = field;
}

/// <summary>An id that names nothing: gRPC NotFound, HTTP 404.</summary>
public sealed class NotFoundException(string entity, string id)
    : DomainException(new BilingualMessage($"{entity} introuvable : {id}", $"{entity} not found: {id}"))
{
    public string Entity { get; } = entity;
}

/// <summary>A valid request that the current state forbids: gRPC FailedPrecondition, HTTP 409.</summary>
public sealed class RuleViolationException(BilingualMessage message) : DomainException(message);

/// <summary>Somebody changed the same thing first: gRPC Aborted, HTTP 409; the caller may retry.</summary>
public sealed class ConcurrentChangeException(string entity)
    : DomainException(new BilingualMessage(
        $"{entity} a été modifié par une autre opération ; réessayez.",
        $"{entity} was changed by another operation; retry."));

/// <summary>The caller may not do this: gRPC PermissionDenied, HTTP 403.</summary>
public sealed class ForbiddenException(BilingualMessage message) : DomainException(message);

/// <summary>A claim that does not fit: gRPC ResourceExhausted, HTTP 409, naming the class and the shortfall.</summary>
public sealed class CapacityExhaustedException(string resourceClass, long shortfall, BilingualMessage message) : DomainException(message)
{
    public string ResourceClass { get; } = resourceClass;
    public long Shortfall { get; } = shortfall;
}
