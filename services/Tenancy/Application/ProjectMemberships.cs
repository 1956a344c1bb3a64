using Aes.Contracts.Tenancy;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults.Paging;
using Google.Protobuf.WellKnownTypes;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Application;

/// <summary>
/// Who works on each project. Only people of the project's agency (its requesters, administrators and automation
/// clients) join; each change is announced with a growing revision, so provisioning's copy keeps the latest.
/// </summary>
public sealed class ProjectMemberships(TenancyDbContext db, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<V1.ProjectMembers> AddAsync(V1.AddProjectMemberRequest request, CancellationToken cancellationToken)
    {
        var project = await ProjectAsync(request.ProjectId, cancellationToken);
        var user = await MemberOfAgencyAsync(request.UserId, project.AgencyId, cancellationToken);
        await ChangeAsync(project, user.Id, isMember: true, Validate.OptionalId(request.ActorUserId, "actor_user_id"), cancellationToken);
        await db.SaveOrExplainAsync("ProjectMembership", cancellationToken);
        return await ListAsync(project, KeysetPage.Of(0, "", keyParts: 2), cancellationToken);
    }

    public async Task<V1.ProjectMembers> RemoveAsync(V1.RemoveProjectMemberRequest request, CancellationToken cancellationToken)
    {
        var project = await ProjectAsync(request.ProjectId, cancellationToken);
        var userId = Validate.Id(request.UserId, "user_id");
        if (!await db.ProjectMemberships.AnyAsync(m => m.ProjectId == project.Id && m.UserId == userId && m.IsMember, cancellationToken))
        {
            throw new InvalidFieldException("user_id", new("n'est pas membre de ce projet.", "is not a member of this project."));
        }
        await ChangeAsync(project, userId, isMember: false, Validate.OptionalId(request.ActorUserId, "actor_user_id"), cancellationToken);
        await db.SaveOrExplainAsync("ProjectMembership", cancellationToken);
        return await ListAsync(project, KeysetPage.Of(0, "", keyParts: 2), cancellationToken);
    }

    public async Task<V1.ProjectMembers> ListAsync(V1.ListProjectMembersRequest request, CancellationToken cancellationToken)
    {
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        return await ListAsync(await ProjectAsync(request.ProjectId, cancellationToken), page, cancellationToken);
    }

    /// <summary>The projects of an agency a user works on.</summary>
    public Task<List<Guid>> ProjectsOfAsync(Guid userId, Guid agencyId, CancellationToken cancellationToken) =>
        db.ProjectMemberships.Where(m => m.UserId == userId && m.IsMember)
            .Join(db.Projects.Where(p => p.AgencyId == agencyId), m => m.ProjectId, p => p.Id, (m, _) => m.ProjectId)
            .ToListAsync(cancellationToken);

    /// <summary>Records the change (nothing when it already holds) and announces it; the caller saves.</summary>
    public async Task ChangeAsync(Project project, Guid userId, bool isMember, Guid? changedBy, CancellationToken cancellationToken)
    {
        var membership = await db.ProjectMemberships.FindAsync([project.Id, userId], cancellationToken);
        if (membership?.IsMember == isMember || (membership is null && !isMember))
        {
            return;
        }
        if (membership is null)
        {
            membership = new ProjectMembership { ProjectId = project.Id, UserId = userId };
            db.ProjectMemberships.Add(membership);
        }
        membership.IsMember = isMember;
        membership.Revision++;
        membership.ChangedAt = Now;
        membership.ChangedByUserId = changedBy;
        db.AddToOutbox(new ProjectMembershipChanged(project.Id, project.AgencyId, userId, isMember, membership.Revision, Now), Now);
    }

    /// <summary>A user who holds no role in an agency any more leaves its projects.</summary>
    public async Task LeaveAgencyProjectsIfNoRoleAsync(User user, Guid agencyId, Guid? changedBy, CancellationToken cancellationToken)
    {
        if (user.Roles.Any(r => r.AgencyId == agencyId))
        {
            return;
        }
        var projects = await db.Projects.Where(p => p.AgencyId == agencyId
            && db.ProjectMemberships.Any(m => m.ProjectId == p.Id && m.UserId == user.Id && m.IsMember)).ToListAsync(cancellationToken);
        foreach (var project in projects)
        {
            await ChangeAsync(project, user.Id, isMember: false, changedBy, cancellationToken);
        }
    }

    private async Task<V1.ProjectMembers> ListAsync(Project project, KeysetPage page, CancellationToken cancellationToken)
    {
        var query = db.ProjectMemberships.AsNoTracking().Where(m => m.ProjectId == project.Id && m.IsMember)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, u.UserName, u.DisplayName, m.ChangedAt, m.ChangedByUserId });
        if (!page.IsFirst)
        {
            var (afterName, afterUser) = (page.Text(0), page.Guid(1));
            query = query.Where(m => string.Compare(m.DisplayName, afterName) > 0 || (m.DisplayName == afterName && m.UserId.CompareTo(afterUser) > 0));
        }
        var (members, next) = page.Cut(await query.OrderBy(m => m.DisplayName).ThenBy(m => m.UserId).Take(page.Size + 1).ToListAsync(cancellationToken),
            m => [m.DisplayName, m.UserId]);
        return new V1.ProjectMembers
        {
            ProjectId = project.Id.ToString(), AgencyId = project.AgencyId.ToString(), NextPageToken = next,
            Members =
            {
                members.Select(m => new V1.ProjectMember
                {
                    UserId = m.UserId.ToString(), UserName = m.UserName, DisplayName = m.DisplayName,
                    AddedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(m.ChangedAt, DateTimeKind.Utc)),
                    AddedByUserId = m.ChangedByUserId?.ToString() ?? "",
                }),
            },
        };
    }

    private async Task<Project> ProjectAsync(string? id, CancellationToken cancellationToken) =>
        await db.Projects.FindAsync([Validate.Id(id, "project_id")], cancellationToken) ?? throw new NotFoundException("Project", id!);

    private async Task<User> MemberOfAgencyAsync(string? id, Guid agencyId, CancellationToken cancellationToken)
    {
        var userId = Validate.Id(id, "user_id");
        var user = await db.Users.Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("User", id!);
        if (!user.Roles.Any(r => r.AgencyId == agencyId && r.Role is Role.Requester or Role.AgencyAdministrator))
        {
            throw new InvalidFieldException("user_id", new(
                "n'est ni demandeur ni administrateur de l'organisme de ce projet.", "is neither a requester nor an administrator of this project's agency."));
        }
        return user;
    }
}
