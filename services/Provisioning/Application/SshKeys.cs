using Aes.ServiceDefaults.Paging;

namespace Aes.Provisioning.Application;

/// <summary>
/// Each agency member's public SSH keys: registered once (the same key again is the same key), named by the member's own
/// requests in that agency, removed by their owner.
/// </summary>
public sealed class SshKeyRegistry(ProvisioningDbContext db, Access access, TimeProvider clock)
{
    public const int MaxKeysPerUser = 50;
    public const int MaxKeysPerRequest = 10;

    public async Task<SshKeyRecord> RegisterAsync(Guid userId, Guid agencyId, string name, string publicKey, CancellationToken cancellationToken)
    {
        var parsed = SshPublicKeys.Parse(publicKey, "public_key");
        await access.RequireAgencyMemberAsync(userId, agencyId, cancellationToken);
        if (await db.SshKeys.AsNoTracking().FirstOrDefaultAsync(k => k.UserId == userId && k.AgencyId == agencyId && k.Fingerprint == parsed.Fingerprint, cancellationToken)
            is { } known)
        {
            return known;
        }
        if (await db.SshKeys.CountAsync(k => k.UserId == userId && k.AgencyId == agencyId, cancellationToken) >= MaxKeysPerUser)
        {
            throw new RuleViolationException(new($"{MaxKeysPerUser} clés au plus par personne : retirez-en une d'abord.",
                $"at most {MaxKeysPerUser} keys per person: remove one first."));
        }
        var key = new SshKeyRecord
        {
            Id = Guid.CreateVersion7(), UserId = userId, AgencyId = agencyId, Name = name, Algorithm = parsed.Algorithm, Bits = parsed.Bits,
            Fingerprint = parsed.Fingerprint, PublicKey = parsed.Line, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.SshKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (Aes.Messaging.Persistence.DatabaseErrors.IsUniqueViolation(exception, "ssh_keys"))
        {
            db.ChangeTracker.Clear();
            return await db.SshKeys.AsNoTracking().SingleAsync(k => k.UserId == userId && k.AgencyId == agencyId && k.Fingerprint == parsed.Fingerprint, cancellationToken);
        }
        return key;
    }

    /// <summary>One page of the person's keys, oldest first.</summary>
    public async Task<(IReadOnlyList<SshKeyRecord> Keys, string NextPageToken)> ListAsync(Guid userId, Guid agencyId, KeysetPage page, CancellationToken cancellationToken)
    {
        var query = db.SshKeys.AsNoTracking().Where(k => k.UserId == userId && k.AgencyId == agencyId);
        if (!page.IsFirst)
        {
            var (createdAt, id) = (page.Time(0), page.Guid(1));
            query = query.Where(k => k.CreatedAt > createdAt || (k.CreatedAt == createdAt && k.Id.CompareTo(id) > 0));
        }
        return page.Cut(await query.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).Take(page.Size + 1).ToListAsync(cancellationToken), k => [k.CreatedAt, k.Id]);
    }

    /// <summary>Removes the key from its owner's list; VMs built with it keep it (it was installed when they were built).</summary>
    public async Task<SshKeyRecord> DeleteAsync(Guid userId, Guid agencyId, Guid keyId, CancellationToken cancellationToken)
    {
        var key = await db.SshKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.UserId == userId && k.AgencyId == agencyId, cancellationToken)
            ?? throw new NotFoundException("SshKey", keyId.ToString());
        db.SshKeys.Remove(key);
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    /// <summary>The submitter's own keys in the agency named by a request, in the order named; another person's key is unknown to them.</summary>
    public async Task<IReadOnlyList<SshKeyRecord>> ForRequestAsync(Guid userId, Guid agencyId, IReadOnlyList<Guid> keyIds, CancellationToken cancellationToken)
    {
        if (keyIds.Count > MaxKeysPerRequest)
        {
            throw new InvalidFieldException("ssh_key_ids", new($"{MaxKeysPerRequest} clés au plus par demande.", $"at most {MaxKeysPerRequest} keys per request."));
        }
        var wanted = keyIds.Distinct().ToList();
        var keys = await db.SshKeys.AsNoTracking().Where(k => k.UserId == userId && k.AgencyId == agencyId && wanted.Contains(k.Id)).ToListAsync(cancellationToken);
        if (wanted.FirstOrDefault(id => keys.All(k => k.Id != id)) is var missing && missing != Guid.Empty)
        {
            throw new InvalidFieldException("ssh_key_ids", new($"clé {missing} inconnue : enregistrez-la d'abord dans vos clés SSH.",
                $"key {missing} is unknown: register it first among your SSH keys."));
        }
        return wanted.Select(id => keys.Single(k => k.Id == id)).ToList();
    }
}

/// <summary>Cloud-init user data: text, at most 16 KiB once encoded in UTF-8, given to the facility as is.</summary>
public static class UserData
{
    public const int MaxBytes = 16 * 1024;

    public static string? Validate(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        // A string from protobuf or JSON that was not UTF-8 arrives with replacement characters; a NUL is not text.
        if (text.Contains('\uFFFD') || text.Contains('\0'))
        {
            throw new InvalidFieldException(field, new("doit être du texte UTF-8 (cloud-config ou script).", "must be UTF-8 text (cloud-config or a script)."));
        }
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        return bytes <= MaxBytes
            ? text
            : throw new InvalidFieldException(field, new($"{bytes} octets : 16 Kio (16 384 octets) au plus.", $"{bytes} bytes: at most 16 KiB (16,384 bytes)."));
    }
}
