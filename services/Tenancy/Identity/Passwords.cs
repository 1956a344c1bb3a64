using Microsoft.AspNetCore.Identity;

namespace Aes.Tenancy.Identity;

/// <summary>Salted PBKDF2 hashes (ASP.NET Core Identity's format, v3); a password is never stored.</summary>
public static class Passwords
{
    private static readonly PasswordHasher<User> Hasher = new();

    public static string Hash(User user, string password) => Hasher.HashPassword(user, password);

    public static bool Verify(User user, string password)
    {
        if (string.IsNullOrEmpty(user.PasswordHash) || string.IsNullOrEmpty(password))
        {
            return false;
        }
        return Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
    }
}
