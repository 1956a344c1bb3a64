using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aes.Testing;

/// <summary>
/// A real HTTP server in the test process, on loopback: it records every request it receives and answers what the test
/// queued (a status, or silence longer than the dispatcher waits), then 200.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _answers = new();

    public sealed record Received(string Body, IReadOnlyDictionary<string, string> Headers, DateTime At);

    public ConcurrentQueue<Received> Requests { get; } = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hooks/aes";

    public int Port => new Uri(Url).Port;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/aes", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new Received(body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                DateTime.UtcNow));
            if (receiver._answers.TryDequeue(out var answer))
            {
                await answer(context);
                return;
            }
            context.Response.StatusCode = 200;
        });
        await app.StartAsync();
        return receiver;
    }

    public void AnswerStatus(int status) => _answers.Enqueue(context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    });

    /// <summary>Answers nothing for <paramref name="silence"/> (longer than the dispatcher's timeout), then 200 to nobody.</summary>
    public void AnswerSilence(TimeSpan silence) => _answers.Enqueue(async context =>
    {
        try { await Task.Delay(silence, context.RequestAborted); } catch (OperationCanceledException) { /* the caller gave up */ }
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
