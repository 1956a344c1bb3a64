namespace Aes.Notifications.Application;

/// <summary>
/// What both dispatchers (mail, webhooks) run: send what is due, batch after batch, until nothing is; then wait for a
/// commit that wrote deliveries (<see cref="WakeSignal"/>) or for the interval, which also brings the retries due.
/// </summary>
public abstract partial class DispatchLoop(WakeSignal signal, NotificationSettings settings, ILogger logger) : BackgroundService
{
    /// <summary>Sends one batch; the number taken, 0 when nothing was due.</summary>
    public abstract Task<int> SendDueAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException && TransientDatabaseFailure.Is(exception))
            {
                LogDatabaseUnreachable(logger, GetType().Name, exception.Message);
            }
            try
            {
                await signal.WaitAsync(settings.DispatchInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Dispatcher}: deliveries not read, database out of reach: {Reason}")]
    private static partial void LogDatabaseUnreachable(ILogger logger, string dispatcher, string reason);
}
