using Microsoft.AspNetCore.Components;
using Aes.Portal.Web;
using Microsoft.AspNetCore.Components.Authorization;

namespace Aes.Portal.Components.Shared;

/// <summary>
/// A page that follows the services without a reload: it loads once, and while the browser is connected
/// loads again every few seconds, so statuses and approvals show as they change.
/// </summary>
public abstract partial class LivePage : ComponentBase, IDisposable
{
    private PeriodicTimer? _timer;

    [Inject] private ILogger<LivePage> Logger { get; set; } = null!;

    [CascadingParameter] protected Task<AuthenticationState> Authentication { get; set; } = null!;

    protected PortalUser User { get; private set; } = null!;

    protected virtual TimeSpan RefreshEvery => TimeSpan.FromSeconds(3);

    /// <summary>What an agency's page says to someone who belongs to no agency.</summary>
    protected static string NoAgency => Language.T("Votre rôle n'est rattaché à aucun organisme.", "Your role belongs to no agency.");

    /// <summary>Reads what the page shows; called at first and then on every tick.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Stops the ticks (a page that turned out not to be the reader's to see).</summary>
    protected void StopRefreshing() => _timer?.Dispose();

    protected override async Task OnInitializedAsync()
    {
        User = PortalUser.Of((await Authentication).User);
        await LoadAsync();
        if (RendererInfo.IsInteractive)
        {
            _ = RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        _timer = new PeriodicTimer(RefreshEvery);
        while (await _timer.WaitForNextTickAsync())
        {
            try
            {
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            }
            catch (Exception exception) when (exception is not ObjectDisposedException)
            {
                // One failed refresh must not end the page's live updates: the next tick tries again.
                LogRefreshFailed(Logger, exception, GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the page {Page} failed; the next tick tries again")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string page);

    public void Dispose()
    {
        _timer?.Dispose();
        GC.SuppressFinalize(this);
    }
}
