using Microsoft.AspNetCore.Builder;

namespace Aes.ServiceDefaults;

/// <summary>
/// What a service's Program does with its command line: serve (the default), or <c>migrate</c>, which
/// brings the database schema up to date and exits, so that a deployment can run migrations as a step
/// of its own (a Kubernetes Job) before any replica serves. Settings that are missing or wrong stop
/// the start with the list of what to fix, not a stack trace.
/// </summary>
public static class ServiceRunner
{
    public const string MigrateCommand = "migrate";

    /// <summary>The setting that makes the build apply migrations (ServiceApplication reads it).</summary>
    public const string MigrateOnStartKey = "Database:MigrateOnStart";

    /// <summary>Set for the migrate step: only the database settings must be right, since nothing else is used.</summary>
    public const string MigrateOnlyKey = "Database:MigrateOnly";

    /// <summary>
    /// The migrate step needs its database and nothing else: no broker (events it writes wait in the
    /// outbox for the service's relay), no peer, no sidecar.
    /// </summary>
    private static readonly string[] MigrateSettings = [$"--{MigrateOnStartKey}=true", $"--{MigrateOnlyKey}=true", "--Messaging:Transport=InMemory"];

    public const int InvalidConfigurationExitCode = 2;

    /// <summary>The database was written by a version this one does not carry forward (ADR 038): nothing in it was changed.</summary>
    public const int UnfitDatabaseExitCode = 3;

    public static async Task<int> RunAsync(string[] args, Func<string[], Task<WebApplication>> build)
    {
        var migrateOnly = args is [MigrateCommand, ..];
        try
        {
            await using var app = await build(migrateOnly ? [.. args[1..], .. MigrateSettings] : args);
            if (migrateOnly)
            {
                await Console.Out.WriteLineAsync($"{app.Environment.ApplicationName}: schéma à jour / schema up to date.");
                return 0;
            }
            await app.RunAsync();
            return 0;
        }
        catch (InvalidConfigurationException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return InvalidConfigurationExitCode;
        }
        catch (UnfitDatabaseException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return UnfitDatabaseExitCode;
        }
    }
}

/// <summary>The service's database is not one this version can carry forward; the message says which version to start on it first.</summary>
public sealed class UnfitDatabaseException(string message) : Exception(message);

/// <summary>Every setting that stops a service from starting, named with what it should be.</summary>
public sealed class InvalidConfigurationException(string service, IReadOnlyList<string> errors)
    : Exception($"{service}: configuration invalide / invalid configuration:{Environment.NewLine}" +
                string.Join(Environment.NewLine, errors.Select(error => "  - " + error)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
