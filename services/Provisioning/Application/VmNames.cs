namespace Aes.Provisioning.Application;

/// <summary>The name a VM is given at submission: the agency's code, a tag of its request, its line and its rank.</summary>
public static class VmNames
{
    public static string For(string agencyCode, Guid requestId, int line, int rank) =>
        $"{agencyCode.ToLowerInvariant()}-{RequestTag(requestId)}-{line}-{rank}";

    // The id's random tail, not its head: a version 7 id begins with the clock, so requests of the same minute shared names.
    private static string RequestTag(Guid requestId) => requestId.ToString("N")[^8..];
}
