namespace Aes.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad usage or input.</summary>
    public const int Usage = 2;
    /// <summary>An audit trail failed its verification.</summary>
    public const int Tampered = 3;
    /// <summary>Not signed in, or the sign-in was refused.</summary>
    public const int Refused = 4;
    /// <summary>A service said no (PermissionDenied, NotFound, …) or could not be reached.</summary>
    public const int Failed = 5;
}
