namespace Aes.ServiceDefaults.Paging;

/// <summary>A caller's side of paged lists (compiled into `aes` too, which shares no project with the services).</summary>
public static class PagedLists
{
    /// <summary>Every item of a paged list, one bounded call per page, following each page's next_page_token.</summary>
    public static async Task<List<T>> AllAsync<T>(Func<string, Task<(IEnumerable<T> Items, string NextPageToken)>> page)
    {
        var all = new List<T>();
        var token = "";
        do
        {
            var (items, next) = await page(token);
            all.AddRange(items);
            token = next;
        }
        while (token.Length > 0);
        return all;
    }
}
