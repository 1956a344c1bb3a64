namespace Aes.Quota.Application;

/// <summary>Releases expired holds (and publishes HoldExpired for each) every Quota:SweepInterval.</summary>
public sealed partial class HoldSweeper(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<HoldSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Quota:SweepInterval", TimeSpan.FromSeconds(5)));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int expired;
                do
                {
                    await using var scope = scopes.CreateAsyncScope();
                    expired = await scope.ServiceProvider.GetRequiredService<ClaimService>().ExpireDueHoldsAsync(200, stoppingToken);
                    if (expired > 0)
                    {
                        LogExpired(expired);
                    }
                } while (expired == 200);
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogSweepFailed(exception);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Count} expired holds")]
    private partial void LogExpired(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hold sweep failed; it will try again")]
    private partial void LogSweepFailed(Exception exception);
}
