using Aes.Contracts.Tenancy;
using Aes.Messaging.Persistence;

namespace Aes.Notifications.Consumers;

/// <summary>Keeps a user's name and address; an event without an address (the version before) keeps the one known.</summary>
public sealed class UserCreatedConsumer(NotificationsDbContext db, ILogger<UserCreatedConsumer> logger)
    : InboxConsumer<UserCreated, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(UserCreated message, ConsumeContext<UserCreated> context)
    {
        // A person may have set their preferences (a row without names) before this arrived.
        if (await Db.InsertIfAbsentAsync(new Recipient
            {
                UserId = message.UserId, UserName = message.UserName, DisplayName = message.DisplayName, Email = message.Email ?? "",
            }, context.CancellationToken))
        {
            return;
        }
        var recipient = await Db.Recipients.SingleAsync(r => r.UserId == message.UserId, context.CancellationToken);
        recipient.UserName = message.UserName;
        recipient.DisplayName = message.DisplayName;
        if (message.Email is not null)
        {
            recipient.Email = message.Email;
        }
    }
}

public sealed class RoleAssignedConsumer(NotificationsDbContext db, ILogger<RoleAssignedConsumer> logger)
    : InboxConsumer<RoleAssigned, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(RoleAssigned message, ConsumeContext<RoleAssigned> context)
    {
        if (!await Db.IsNewerAsync(ProjectionRevisions.RoleKey(message.UserId, message.Role, message.StateCode, message.AgencyId), message.Revision,
                context.CancellationToken))
        {
            return; // a later change of this role came first
        }
        if (!await Db.RecipientRoles.AnyAsync(r => r.UserId == message.UserId && r.Role == message.Role && r.StateCode == message.StateCode
                && r.AgencyId == message.AgencyId, context.CancellationToken))
        {
            Db.RecipientRoles.Add(new RecipientRole { UserId = message.UserId, Role = message.Role, StateCode = message.StateCode, AgencyId = message.AgencyId });
        }
    }
}

public sealed class RoleRevokedConsumer(NotificationsDbContext db, ILogger<RoleRevokedConsumer> logger)
    : InboxConsumer<RoleRevoked, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(RoleRevoked message, ConsumeContext<RoleRevoked> context)
    {
        if (!await Db.IsNewerAsync(ProjectionRevisions.RoleKey(message.UserId, message.Role, message.StateCode, message.AgencyId), message.Revision,
                context.CancellationToken))
        {
            return; // a later change of this role came first
        }
        await Db.RecipientRoles.Where(r => r.UserId == message.UserId && r.Role == message.Role && r.StateCode == message.StateCode
            && r.AgencyId == message.AgencyId).ExecuteDeleteAsync(context.CancellationToken);
    }
}

public sealed class MemberStateRegisteredConsumer(NotificationsDbContext db, ILogger<MemberStateRegisteredConsumer> logger)
    : InboxConsumer<MemberStateRegistered, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(MemberStateRegistered message, ConsumeContext<MemberStateRegistered> context)
    {
        if (!await Db.InsertIfAbsentAsync(new KnownState { Code = message.StateCode, NameFr = message.NameFr, NameEn = message.NameEn }, context.CancellationToken))
        {
            var state = await Db.States.SingleAsync(s => s.Code == message.StateCode, context.CancellationToken);
            (state.NameFr, state.NameEn) = (message.NameFr, message.NameEn);
        }
    }
}

public sealed class ExternalIdentityLinkChangedConsumer(NotificationsDbContext db, ILogger<ExternalIdentityLinkChangedConsumer> logger)
    : InboxConsumer<ExternalIdentityLinkChanged, NotificationsDbContext>(db, logger)
{
    protected override Task HandleAsync(ExternalIdentityLinkChanged message, ConsumeContext<ExternalIdentityLinkChanged> context) =>
        Aes.Messaging.Identity.KnownExternalIdentities.RecordAsync(Db, message.Issuer, message.Subject, message.UserId, message.StateCode, message.Revision,
            context.CancellationToken);
}
