using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Aes.Notifications.Application;

/// <summary>
/// POSTs the webhooks' pending deliveries. Each is leased before it is sent, so two replicas never send one at once; every
/// attempt is logged with its outcome; a delivery not acknowledged (2xx) is tried again after 15 s, 30 s, 1 min… (at most
/// <see cref="WebhookSettings.MaxRetryDelay"/> apart) until <see cref="WebhookSettings.GiveUpAfter"/> has passed. A scheme
/// or an address the policy refuses is never tried again. Redirects are not followed: they would lead past the policy.
/// </summary>
public sealed partial class WebhookDispatcher : DispatchLoop
{
    private const int Parallel = 4;
    private const int Batch = 20;

    private readonly IServiceScopeFactory _scopes;
    private readonly WebhookSettings _settings;
    private readonly WebhookAddressPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;

    public WebhookDispatcher(IServiceScopeFactory scopes, WebhookSettings settings, NotificationSettings notifications, WebhookAddressPolicy policy,
        WebhookSignal signal, TimeProvider clock, ILogger<WebhookDispatcher> logger) : base(signal, notifications, logger)
    {
        (_scopes, _settings, _policy, _clock, _logger) = (scopes, settings, policy, clock, logger);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // A proxy from the environment would be reached instead of the receiver, and the policy would check the proxy.
            UseProxy = false,
            ConnectCallback = policy.ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("AES-Marketplace-Webhooks", "1"));
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    /// <summary>Sends one batch, a few at a time; the number taken, 0 when nothing was due.</summary>
    public override async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        List<(Guid Id, DateTime Until)> leased = [];
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
            var now = _clock.GetUtcNow().UtcDateTime;
            var due = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeasedUntil == null || d.LeasedUntil < now))
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Select(d => d.Id).Take(Batch).ToListAsync(cancellationToken);
            // Long enough for the whole batch, a few at a time, each taking up to the timeout: a lease never lapses while its holder still works.
            var lease = TimeSpan.FromMinutes(2) + (_settings.Timeout * (Batch / Parallel + 1) * 2);
            foreach (var id in due)
            {
                // To the microsecond, as PostgreSQL keeps it: the attempt compares it to know the lease is still its own.
                var leasedUntil = (now + lease).AddTicks(-((now + lease).Ticks % 10));
                if (await db.WebhookDeliveries.Where(d => d.Id == id && d.Status == WebhookDeliveryStatus.Pending && (d.LeasedUntil == null || d.LeasedUntil < now))
                        .ExecuteUpdateAsync(d => d.SetProperty(x => x.LeasedUntil, leasedUntil), cancellationToken) > 0)
                {
                    leased.Add((id, leasedUntil));
                }
            }
        }
        await System.Threading.Tasks.Parallel.ForEachAsync(leased, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancellationToken },
            async (taken, token) => await AttemptAsync(taken.Id, taken.Until, token));
        return leased.Count;
    }

    private async Task AttemptAsync(Guid id, DateTime leasedUntil, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == id, cancellationToken);
        if (delivery.Status != WebhookDeliveryStatus.Pending || delivery.LeasedUntil != leasedUntil)
        {
            return; // made, given up, or leased again by another replica meanwhile
        }
        var webhook = await db.Webhooks.AsNoTracking().SingleAsync(w => w.Id == delivery.WebhookId, cancellationToken);
        delivery.LeasedUntil = null;
        if (webhook.DeletedAt is not null)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        delivery.Attempts++;
        var started = _clock.GetUtcNow().UtcDateTime;
        var watch = Stopwatch.StartNew();
        var (outcome, statusCode, error) = await PostAsync(webhook, delivery, scope.ServiceProvider.GetRequiredService<WebhookSecrets>(), cancellationToken);
        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id, Number = delivery.Attempts, At = started, DurationMs = (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds),
            StatusCode = statusCode, Outcome = outcome, Error = error.Length <= 500 ? error : error[..500],
        });
        var now = _clock.GetUtcNow().UtcDateTime;
        var deadline = delivery.CreatedAt + _settings.GiveUpAfter;
        if (outcome == WebhookOutcomes.Delivered)
        {
            (delivery.Status, delivery.DeliveredAt) = (WebhookDeliveryStatus.Delivered, now);
            LogDelivered(_logger, delivery.EventType, delivery.EventId, webhook.Id);
        }
        else if (outcome is WebhookOutcomes.AddressRefused or WebhookOutcomes.SchemeRefused or WebhookOutcomes.SecretUnreadable || now >= deadline)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            LogGivenUp(_logger, delivery.EventId, webhook.Id, delivery.Attempts, outcome, error);
        }
        else
        {
            var next = now + RetryDelay(delivery.Attempts, _settings);
            delivery.NextAttemptAt = next < deadline ? next : deadline;
            LogNotDelivered(_logger, delivery.EventId, webhook.Id, delivery.Attempts, outcome, error);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<(string Outcome, int? StatusCode, string Error)> PostAsync(Webhook webhook, WebhookDelivery delivery, WebhookSecrets secrets,
        CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri))
        {
            return (WebhookOutcomes.SchemeRefused, null, "not an absolute address");
        }
        if (_policy.SchemeRefusal(uri) is { } schemeRefused)
        {
            return (WebhookOutcomes.SchemeRefused, null, schemeRefused.English);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Aes-Event-Id", delivery.EventId.ToString());
        request.Headers.Add("X-Aes-Event-Type", delivery.EventType);
        request.Headers.Add("X-Aes-Webhook-Id", webhook.Id.ToString());
        request.Headers.Add("X-Aes-Attempt", delivery.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string secret;
        try
        {
            secret = secrets.Unprotect(webhook.ProtectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The key ring that encrypted it is gone (a certificate replaced without its predecessor): nothing can be signed
            // until the owner asks for a new secret.
            return (WebhookOutcomes.SecretUnreadable, null, "the signing secret cannot be read: replace it (rotate-secret)");
        }
        request.Headers.Add("X-Aes-Signature", WebhookSecrets.Signature(secret, delivery.Body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode
                ? (WebhookOutcomes.Delivered, (int)response.StatusCode, "")
                : (WebhookOutcomes.HttpError, (int)response.StatusCode, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (WebhookOutcomes.Timeout, null, $"no answer within {_settings.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException exception) when (exception.InnerException is WebhookAddressRefusedException refused)
        {
            return (WebhookOutcomes.AddressRefused, null, refused.Reason.English);
        }
        catch (HttpRequestException exception)
        {
            return (WebhookOutcomes.NetworkError, null, exception.Message);
        }
    }

    /// <summary>The first retry after <see cref="WebhookSettings.FirstRetryDelay"/>, doubling, at most <see cref="WebhookSettings.MaxRetryDelay"/>.</summary>
    public static TimeSpan RetryDelay(int attempts, WebhookSettings settings)
    {
        var delay = settings.FirstRetryDelay * Math.Pow(2, Math.Min(30, Math.Max(0, attempts - 1)));
        return delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} received {EventType} event {EventId}")]
    private static partial void LogDelivered(ILogger logger, string eventType, Guid eventId, Guid webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} not delivered to webhook {WebhookId} (attempt {Attempts}, {Outcome}): {Reason}")]
    private static partial void LogNotDelivered(ILogger logger, Guid eventId, Guid webhookId, int attempts, string outcome, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} given up for webhook {WebhookId} after {Attempts} attempts ({Outcome}): {Reason}")]
    private static partial void LogGivenUp(ILogger logger, Guid eventId, Guid webhookId, int attempts, string outcome, string reason);
}
