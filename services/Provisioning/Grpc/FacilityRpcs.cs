using Aes.Contracts;
using Microsoft.AspNetCore.Authorization;
using Aes.Provisioning.Application;
using Aes.ServiceDefaults.Paging;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Grpc;

/// <summary>The facility methods of the service (ADR 015): connections, catalogues, reconciliation's findings, availability.</summary>
public sealed partial class ProvisioningGrpcService
{
    public override async Task<V1.FacilityConnection> ConnectFacility(V1.ConnectFacilityRequest request, ServerCallContext context)
    {
        var facilityId = Validate.Id(request.FacilityId, "facility_id");
        await facilities.ConnectAsync(facilityId, Validate.Id(request.ActorUserId, "actor_user_id"), request.Driver, request.AuthUrl, request.Region, request.Project,
            request.ProjectDomain, request.CredentialReference, request.Network, context.CancellationToken);
        return await ConnectionAsync(facilityId, context.CancellationToken);
    }

    public override Task<V1.FacilityConnection> GetFacilityConnection(V1.FacilityIdRequest request, ServerCallContext context) =>
        ConnectionAsync(Validate.Id(request.FacilityId, "facility_id"), context.CancellationToken);

    public override async Task<V1.FacilityConnectionTest> TestFacilityConnection(V1.FacilityIdRequest request, ServerCallContext context)
    {
        var health = await facilities.TestAsync(Validate.Id(request.FacilityId, "facility_id"), context.CancellationToken);
        return new V1.FacilityConnectionTest
        {
            FacilityId = request.FacilityId, Reachable = health.Reachable, DetailFr = health.DetailFr, DetailEn = health.DetailEn,
            Endpoints = { health.Endpoints.OrderBy(e => e.Key).Select(e => new V1.NamedUrl { Name = e.Key, Url = e.Value }) },
            Limits = { health.Limits.OrderBy(l => l.Key).Select(l => new V1.NamedFigure { Name = l.Key, Value = l.Value }) },
            LatencyMs = (long)health.Latency.TotalMilliseconds,
        };
    }

    public override Task<V1.FacilityCatalogue> GetFacilityCatalogue(V1.FacilityIdRequest request, ServerCallContext context) =>
        CatalogueAsync(Validate.Id(request.FacilityId, "facility_id"), context.CancellationToken);

    public override async Task<V1.FacilityCatalogue> RefreshFacilityCatalogue(V1.RefreshFacilityCatalogueRequest request, ServerCallContext context)
    {
        var facilityId = Validate.Id(request.FacilityId, "facility_id");
        await facilities.RefreshAsync(facilityId, context.CancellationToken);
        return await CatalogueAsync(facilityId, context.CancellationToken);
    }

    public override async Task<V1.FacilityCatalogue> MapFacilityFlavour(V1.MapFacilityCatalogueRequest request, ServerCallContext context)
    {
        var facilityId = Validate.Id(request.FacilityId, "facility_id");
        await facilities.MapFlavourAsync(facilityId, Validate.Name(request.NativeId, "native_id", 64), request.Code, context.CancellationToken);
        return await CatalogueAsync(facilityId, context.CancellationToken);
    }

    public override async Task<V1.FacilityCatalogue> MapFacilityImage(V1.MapFacilityCatalogueRequest request, ServerCallContext context)
    {
        var facilityId = Validate.Id(request.FacilityId, "facility_id");
        await facilities.MapImageAsync(facilityId, Validate.Name(request.NativeId, "native_id", 64), request.Code, context.CancellationToken);
        return await CatalogueAsync(facilityId, context.CancellationToken);
    }

    public override async Task<V1.ListReconciliationFindingsResponse> ListReconciliationFindings(V1.ListReconciliationFindingsRequest request, ServerCallContext context)
    {
        var (found, next) = await facilities.FindingsAsync(Validate.OptionalId(request.FacilityId, "facility_id"), Validate.OptionalStateCode(request.StateCode, "state_code"),
            request.IncludeCleared, KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2), context.CancellationToken);
        return new V1.ListReconciliationFindingsResponse
        {
            NextPageToken = next,
            Findings =
            {
                found.Select(f => new V1.ReconciliationFinding
                {
                    Id = f.Id, FacilityId = f.FacilityId.ToString(), FacilityCode = f.FacilityCode, Kind = f.Kind.Code(), VmId = f.VmId?.ToString() ?? "",
                    ServerId = f.ServerId ?? "", AgencyId = f.AgencyId?.ToString() ?? "", DetailFr = f.DetailFr, DetailEn = f.DetailEn,
                    FoundAt = Timestamp.FromDateTime(f.FoundAt), ClearedAt = f.ClearedAt is { } cleared ? Timestamp.FromDateTime(cleared) : null,
                }),
            },
        };
    }

    [AllowAnonymous]
    public override async Task<V1.FacilityAvailability> GetFacilityAvailability(V1.FacilityIdRequest request, ServerCallContext context)
    {
        var (facility, watch, month, year, outages) = await facilities.AvailabilityAsync(Validate.Id(request.FacilityId, "facility_id"), context.CancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return new V1.FacilityAvailability
        {
            FacilityId = facility.FacilityId.ToString(), FacilityCode = facility.Code, Month = Figure(month), Year = Figure(year),
            ReachableNow = watch?.LastReachable ?? false,
            WatchedSince = watch is null ? null : Timestamp.FromDateTime(DateTime.SpecifyKind(watch.Since, DateTimeKind.Utc)),
            LastProbeAt = watch is null || watch.LastProbeAt == DateTime.MinValue ? null : Timestamp.FromDateTime(DateTime.SpecifyKind(watch.LastProbeAt, DateTimeKind.Utc)),
            Outages =
            {
                outages.Select(o => new V1.FacilityOutage
                {
                    StartedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(o.StartedAt, DateTimeKind.Utc)),
                    EndedAt = o.EndedAt is { } ended ? Timestamp.FromDateTime(DateTime.SpecifyKind(ended, DateTimeKind.Utc)) : null,
                    CauseFr = o.CauseFr, CauseEn = o.CauseEn, Minutes = (long)Math.Ceiling(((o.EndedAt ?? now) - o.StartedAt).TotalMinutes),
                }),
            },
        };

        static V1.AvailabilityFigure Figure(AvailabilityFigure figure) => new()
        {
            Period = figure.Period, AvailabilityPercent = figure.Percent, DowntimeMinutes = figure.DowntimeMinutes, ObservedMinutes = figure.ObservedMinutes,
        };
    }

    private async Task<V1.FacilityConnection> ConnectionAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var (connection, present) = await facilities.ConnectionAsync(facilityId, cancellationToken);
        return new V1.FacilityConnection
        {
            FacilityId = connection.FacilityId.ToString(), FacilityCode = connection.FacilityCode, Driver = connection.Driver, AuthUrl = connection.AuthUrl,
            Region = connection.Region, Project = connection.Project, ProjectDomain = connection.ProjectDomain, CredentialReference = connection.CredentialReference,
            Network = connection.Network, CredentialsPresent = present,
            UpdatedAt = connection.UpdatedAt == default ? null : Timestamp.FromDateTime(DateTime.SpecifyKind(connection.UpdatedAt, DateTimeKind.Utc)),
        };
    }

    private async Task<V1.FacilityCatalogue> CatalogueAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var (facility, driver, state, flavours, images) = await facilities.CatalogueAsync(facilityId, cancellationToken);
        return new V1.FacilityCatalogue
        {
            FacilityId = facility.FacilityId.ToString(), FacilityCode = facility.Code, Driver = driver, AnySize = state?.AnySize ?? false,
            Flavours =
            {
                flavours.Select(f => new V1.CatalogueFlavour
                {
                    NativeId = f.NativeId, NativeName = f.NativeName, Code = f.Code ?? "", Present = f.Present,
                    Resources = { VmSpecs.ToMessages(f.Shape) },
                }),
            },
            Images = { images.Select(i => new V1.CatalogueImage { NativeId = i.NativeId, NativeName = i.NativeName, Code = i.Code ?? "", Present = i.Present }) },
            RefreshedAt = state is null || state.RefreshedAt == default ? null : Timestamp.FromDateTime(DateTime.SpecifyKind(state.RefreshedAt, DateTimeKind.Utc)),
            RefreshErrorFr = state?.RefreshErrorFr ?? "", RefreshErrorEn = state?.RefreshErrorEn ?? "",
        };
    }
}
