namespace Aes.Tenancy.Application;

/// <summary>Activates signed agreements when their start comes and expires them at their end.</summary>
public sealed partial class AgreementClock(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<AgreementClock> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Tenancy:AgreementClockInterval", TimeSpan.FromSeconds(30));
        using var timer = new PeriodicTimer(interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TenancyOperations>().AdvanceAgreementsAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogTickFailed(exception);
            }
            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agreement clock tick failed; it will try again")]
    private partial void LogTickFailed(Exception exception);
}
