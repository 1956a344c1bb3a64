namespace Aes.Provisioning.Application;

public static class DecisionRetry
{
    private const int Attempts = 4;

    /// <summary>
    /// Runs a person's command again, on fresh rows, when the workflow changed the same request between its read and its
    /// write. The workflow moves a request on by itself (reserving, placing, awaiting approval) within milliseconds of any
    /// decision, so a conflict there says nothing about the person's intent: the command re-checks every rule on what it
    /// reloads and applies or refuses as it would have. Only a conflict that persists reaches the caller as Aborted.
    /// </summary>
    public static async Task<T> OnFreshRowsAsync<T>(DbContext db, string entity, Func<Task<T>> command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command();
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                db.ChangeTracker.Clear();
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new ConcurrentChangeException(entity);
            }
        }
    }
}
