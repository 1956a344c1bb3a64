using Microsoft.Playwright;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// Watches a browser context as a user would notice: a script error or an error written to the console, a
/// request that fails, and a stylesheet, script or image that answers anything but 200 with content.
/// </summary>
public sealed class BrowserWatch
{
    private readonly List<string> _problems = [];
    private readonly List<Task> _bodies = [];

    public static BrowserWatch On(IBrowserContext context)
    {
        var watch = new BrowserWatch();
        context.Page += (_, page) => watch.Attach(page);
        return watch;
    }

    public void Attach(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Add($"console error on {page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => Add($"script error on {page.Url}: {error}");
        page.RequestFailed += (_, request) =>
        {
            // Leaving a page aborts its live connection; that is no fault of the page.
            if (request.Failure is not "net::ERR_ABORTED")
            {
                Add($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType is not ("stylesheet" or "script" or "image" or "font"))
            {
                return;
            }
            if (response.Status != 200 && response.Status != 304)
            {
                Add($"{response.Request.ResourceType} {response.Url}: {response.Status}");
                return;
            }
            lock (_bodies)
            {
                _bodies.Add(CheckBodyAsync(response));
            }
        };
    }

    /// <summary>Every problem seen so far, once the bodies under way are read.</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync()
    {
        Task[] pending;
        lock (_bodies)
        {
            pending = [.. _bodies];
        }
        await Task.WhenAll(pending);
        lock (_problems)
        {
            return [.. _problems];
        }
    }

    private async Task CheckBodyAsync(IResponse response)
    {
        try
        {
            var body = await response.BodyAsync();
            if (body.Length == 0)
            {
                Add($"{response.Request.ResourceType} {response.Url}: empty");
            }
        }
        catch (PlaywrightException)
        {
            // The page navigated away before the body was read; the same asset is checked on the next page.
        }
    }

    private void Add(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
