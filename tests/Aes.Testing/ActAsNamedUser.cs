using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Aes.Testing;

/// <summary>
/// Every call as the person it names: a request whose <c>actor_user_id</c> names a user carries that user's own
/// access token (<paramref name="tokenOf"/>: from tenancy by the code flow, or signed by the test issuer with the
/// grants tenancy gives them), so the service applies its per-user rules as to a person signed in. A call that
/// names no one is set-up, made with the harness's service identity.
/// </summary>
public sealed class ActAsNamedUser(TestIssuer issuer, Func<Guid, Task<string>> tokenOf) : Interceptor
{
    /// <summary>Calls on <paramref name="channel"/> (which must carry no token of its own) as the users they name.</summary>
    public static CallInvoker Invoker(GrpcChannel channel, TestIssuer issuer, Func<Guid, Task<string>> tokenOf) =>
        channel.Intercept(new ActAsNamedUser(issuer, tokenOf));

    /// <summary>A token of <paramref name="issuer"/> for <paramref name="user"/> with these grants (<c>role:STATE:agency</c>), as a state's provider or tenancy would sign it.</summary>
    public static string Mint(TestIssuer issuer, Guid user, IReadOnlyCollection<string> grants) =>
        issuer.Mint(user.ToString(),
        [
            KeyValuePair.Create<string, object>("aes_grant", grants.ToArray()),
            KeyValuePair.Create<string, object>("role", grants.Select(grant => grant.Split(':')[0]).Distinct().ToArray()),
        ]);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = StartAsync(request, context, continuation);
        return new AsyncUnaryCall<TResponse>(ResponseAsync(call), HeadersAsync(call),
            () => call.Result.GetStatus(), () => call.Result.GetTrailers(), () => { if (call.IsCompletedSuccessfully) call.Result.Dispose(); });
    }

    private async Task<AsyncUnaryCall<TResponse>> StartAsync<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class where TResponse : class
    {
        string token;
        try
        {
            token = request is IMessage message && message.Descriptor.FindFieldByName("actor_user_id") is { } field
                && Guid.TryParse((string)field.Accessor.GetValue(message), out var actor)
                ? await tokenOf(actor)
                : issuer.HarnessToken();
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"no token for the named user: {exception.Message}", exception));
        }
        // A copy: the caller's own headers, reused for another call, must not gather a second token.
        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            headers.Add(entry);
        }
        headers.Add("Authorization", $"Bearer {token}");
        return continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers)));
    }

    private static async Task<TResponse> ResponseAsync<TResponse>(Task<AsyncUnaryCall<TResponse>> call) => await (await call).ResponseAsync;

    private static async Task<Metadata> HeadersAsync<TResponse>(Task<AsyncUnaryCall<TResponse>> call) => await (await call).ResponseHeadersAsync;
}
