using Aes.Contracts.Tenancy;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Paging;
using Google.Protobuf.WellKnownTypes;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Application;

/// <summary>
/// A subject of a state's own identity provider and the AES user of that state it stands for; <see cref="UserId"/> null
/// once unlinked. Each change bumps <see cref="Revision"/>, announced, so every service's copy keeps the latest.
/// </summary>
public sealed class ExternalIdentityLink
{
    public required string Issuer { get; init; }
    public required string Subject { get; init; }
    public Guid? UserId { get; set; }
    public string? StateCode { get; set; }
    public long Revision { get; set; }
    public DateTime ChangedAt { get; set; }
    public Guid? ChangedByUserId { get; set; }
}

/// <summary>
/// The links a state's operators make from their provider's subjects to their state's AES users: only to a user of the
/// state the provider is trusted for, one user per subject. Tenancy resolves its own tokens from here; the other
/// services from their copy (<c>ExternalIdentityLinkChanged</c>).
/// </summary>
public sealed class ExternalIdentities(TenancyDbContext db, IConfiguration configuration, TimeProvider clock) : IExternalIdentityLinks
{
    private const int MaxSubjectLength = 255;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The providers trusted for one state (every state's when none).</summary>
    public IReadOnlyList<TrustedIssuer> StateIssuers(string? state = null) =>
        [.. TrustedIssuer.From(configuration).Where(i => i.State is not null && (state is null || i.State == state))];

    public async ValueTask<LinkedUser?> FindAsync(string issuer, string subject, CancellationToken cancellationToken) =>
        await db.ExternalIdentityLinks.AsNoTracking()
            .Where(l => l.Issuer == issuer && l.Subject == subject && l.UserId != null && l.StateCode != null)
            .Select(l => new LinkedUser(l.UserId!.Value, l.StateCode!)).FirstOrDefaultAsync(cancellationToken);

    public async Task<V1.ExternalIdentityLink> LinkAsync(V1.LinkExternalIdentityRequest request, CancellationToken cancellationToken)
    {
        var userId = Validate.Id(request.UserId, "user_id");
        var user = await db.Users.AsNoTracking().Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("User", request.UserId);
        var state = await StateOfAsync(user, cancellationToken);
        var issuer = IssuerFor(request.Issuer, state);
        var subject = Validate.Name(request.Subject, "subject", MaxSubjectLength);
        var link = await db.ExternalIdentityLinks.FindAsync([issuer, subject], cancellationToken);
        if (link?.UserId is { } linked && linked != user.Id)
        {
            throw new InvalidFieldException("subject", new(
                "est déjà lié à un autre utilisateur : déliez-le d'abord.", "is already linked to another user: unlink it first."));
        }
        if (link is not null && link.UserId == user.Id)
        {
            return await ToMessageAsync(link, cancellationToken);
        }
        if (link is null)
        {
            link = new ExternalIdentityLink { Issuer = issuer, Subject = subject };
            db.ExternalIdentityLinks.Add(link);
        }
        Change(link, user.Id, state, Validate.OptionalId(request.ActorUserId, "actor_user_id"));
        await db.SaveOrExplainAsync("ExternalIdentityLink", cancellationToken);
        return await ToMessageAsync(link, cancellationToken);
    }

    public async Task<V1.ExternalIdentityLink> UnlinkAsync(V1.UnlinkExternalIdentityRequest request, CancellationToken cancellationToken)
    {
        var userId = Validate.Id(request.UserId, "user_id");
        var issuer = Validate.Name(request.Issuer, "issuer", 300).TrimEnd('/') + "/";
        var subject = Validate.Name(request.Subject, "subject", MaxSubjectLength);
        var link = await db.ExternalIdentityLinks.FindAsync([issuer, subject], cancellationToken);
        if (link is null || link.UserId != userId)
        {
            throw new NotFoundException("ExternalIdentityLink", $"{issuer} {subject}");
        }
        Change(link, null, null, Validate.OptionalId(request.ActorUserId, "actor_user_id"));
        await db.SaveOrExplainAsync("ExternalIdentityLink", cancellationToken);
        return await ToMessageAsync(link, cancellationToken);
    }

    public async Task<V1.ListExternalIdentityLinksResponse> ListAsync(V1.ListExternalIdentityLinksRequest request, CancellationToken cancellationToken)
    {
        var links = db.ExternalIdentityLinks.AsNoTracking().Where(l => l.UserId != null);
        string? state = null;
        if (Validate.OptionalId(request.UserId, "user_id") is { } userId)
        {
            links = links.Where(l => l.UserId == userId);
        }
        if (!string.IsNullOrWhiteSpace(request.StateCode))
        {
            state = request.StateCode.Trim().ToUpperInvariant();
            links = links.Where(l => l.StateCode == state);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (afterIssuer, afterSubject) = (page.Text(0), page.Text(1));
            links = links.Where(l => string.Compare(l.Issuer, afterIssuer) > 0 || (l.Issuer == afterIssuer && string.Compare(l.Subject, afterSubject) > 0));
        }
        var (listed, next) = page.Cut(await links.OrderBy(l => l.Issuer).ThenBy(l => l.Subject).Take(page.Size + 1).ToListAsync(cancellationToken),
            l => [l.Issuer, l.Subject]);
        var response = new V1.ListExternalIdentityLinksResponse { NextPageToken = next };
        foreach (var link in listed)
        {
            response.Links.Add(await ToMessageAsync(link, cancellationToken));
        }
        response.Issuers.Add(StateIssuers(state).Select(i => new V1.StateIssuer { Issuer = i.Issuer, StateCode = i.State! }));
        return response;
    }

    /// <summary>Every link, for the announcement of reference data to a service that did not keep them before.</summary>
    public Task<List<ExternalIdentityLinkChanged>> AnnouncementsAsync(CancellationToken cancellationToken) =>
        db.ExternalIdentityLinks.AsNoTracking()
            .Select(l => new ExternalIdentityLinkChanged(l.Issuer, l.Subject, l.UserId, l.StateCode, l.Revision, l.ChangedAt)).ToListAsync(cancellationToken);

    private void Change(ExternalIdentityLink link, Guid? userId, string? state, Guid? changedBy)
    {
        (link.UserId, link.StateCode, link.ChangedAt, link.ChangedByUserId) = (userId, state, Now, changedBy);
        link.Revision++;
        db.AddToOutbox(new ExternalIdentityLinkChanged(link.Issuer, link.Subject, userId, state, link.Revision, Now), Now);
    }

    /// <summary>A user's state: the one state all their roles lie in (an agency role through its agency). A confederal user has none.</summary>
    private async Task<string> StateOfAsync(User user, CancellationToken cancellationToken)
    {
        var agencyIds = user.Roles.Where(r => r.AgencyId is not null).Select(r => r.AgencyId!.Value).ToList();
        var agencyStates = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id)).Select(a => a.StateCode).ToListAsync(cancellationToken);
        var states = user.Roles.Where(r => r.AgencyId is null).Select(r => r.StateCode).Concat(agencyStates).Distinct().ToList();
        return states is [{ } state]
            ? state
            : throw new InvalidFieldException("user_id", new(
                "n'est pas l'utilisateur d'un seul État (un rôle confédéral, ou des rôles de plusieurs États) : seul un utilisateur d'un État se lie au fournisseur de cet État.",
                "is not a user of one state (a confederal role, or roles in several states): only a state's user links to that state's provider."));
    }

    private string IssuerFor(string? requested, string state)
    {
        var named = Validate.Name(requested, "issuer", 300);
        return StateIssuers(state).FirstOrDefault(i => i.Matches(named))?.Issuer
            ?? throw new InvalidFieldException("issuer", new(
                $"« {named} » n'est pas un fournisseur d'identité reconnu pour {state}.",
                $"\"{named}\" is not an identity provider trusted for {state}."));
    }

    private async Task<V1.ExternalIdentityLink> ToMessageAsync(ExternalIdentityLink link, CancellationToken cancellationToken) => new()
    {
        Issuer = link.Issuer, Subject = link.Subject, UserId = link.UserId?.ToString() ?? "", StateCode = link.StateCode ?? "",
        UserName = link.UserId is { } id ? await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.UserName).FirstOrDefaultAsync(cancellationToken) ?? "" : "",
        ChangedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(link.ChangedAt, DateTimeKind.Utc)),
        ChangedByUserId = link.ChangedByUserId?.ToString() ?? "",
    };
}
