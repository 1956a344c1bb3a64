using System;
using Aes.Messaging.Audit;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agency_ssh_access",
                columns: table => new
                {
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    SourceCidrs = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agency_ssh_access", x => x.AgencyId);
                });

            migrationBuilder.CreateTable(
                name: "agreements_in_force",
                columns: table => new
                {
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: false),
                    HostStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    GuestStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    AllowedClassifications = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    StartsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FacilityListPrice = table.Column<bool>(type: "boolean", nullable: false),
                    Prices_MemoryGibHourXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_PublicIpv4MonthXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_StorageGibMonthXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_VcpuHourXof = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agreements_in_force", x => x.AgreementId);
                });

            migrationBuilder.CreateTable(
                name: "audit_entries",
                columns: table => new
                {
                    position = table.Column<long>(type: "bigint", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    actor_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    on_behalf_of = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    details = table.Column<string>(type: "text", nullable: false),
                    origin = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    previous_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_entries", x => x.position);
                });

            migrationBuilder.CreateTable(
                name: "audit_head",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    position = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_head", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "auto_approval_policies",
                columns: table => new
                {
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    MaxVcpu = table.Column<long>(type: "bigint", nullable: false),
                    Classifications = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_auto_approval_policies", x => x.StateCode);
                });

            migrationBuilder.CreateTable(
                name: "call_replays",
                columns: table => new
                {
                    method = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    caller = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    response = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_call_replays", x => new { x.method, x.caller, x.idempotency_key });
                });

            migrationBuilder.CreateTable(
                name: "ended_agreements",
                columns: table => new
                {
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ended_agreements", x => x.AgreementId);
                });

            migrationBuilder.CreateTable(
                name: "facility_catalogue_states",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnySize = table.Column<bool>(type: "boolean", nullable: false),
                    RefreshedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RefreshErrorFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RefreshErrorEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_catalogue_states", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "facility_connections",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Driver = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    AuthUrl = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Project = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ProjectDomain = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CredentialReference = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Network = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_connections", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "facility_flavours",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    NativeId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NativeName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Vcpu = table.Column<long>(type: "bigint", nullable: false),
                    MemoryGib = table.Column<long>(type: "bigint", nullable: false),
                    DiskGib = table.Column<long>(type: "bigint", nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Present = table.Column<bool>(type: "boolean", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_flavours", x => new { x.FacilityId, x.NativeId });
                });

            migrationBuilder.CreateTable(
                name: "facility_images",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    NativeId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NativeName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Present = table.Column<bool>(type: "boolean", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_images", x => new { x.FacilityId, x.NativeId });
                });

            migrationBuilder.CreateTable(
                name: "facility_outages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CauseFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CauseEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_outages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "facility_watches",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    Since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastProbeAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastCatalogueAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastReconcileAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastReachable = table.Column<bool>(type: "boolean", nullable: false),
                    LastLatencyMs = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_watches", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "firewall_applications",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Digest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AppliedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_firewall_applications", x => new { x.ProjectId, x.FacilityId });
                });

            migrationBuilder.CreateTable(
                name: "hosting_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubmittedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    Classification = table.Column<int>(type: "integer", nullable: false),
                    PreferredStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    PreferredFacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    Justification = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Deadline = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    VmLinesJson = table.Column<string>(type: "text", nullable: false),
                    TotalVcpu = table.Column<long>(type: "bigint", nullable: false),
                    TotalMemoryGib = table.Column<long>(type: "bigint", nullable: false),
                    TotalDiskGib = table.Column<long>(type: "bigint", nullable: false),
                    TotalPublicIpv4 = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    StatusReasonFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    StatusReasonEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FacilityStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    PoolId = table.Column<Guid>(type: "uuid", nullable: true),
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: true),
                    HoldsExpireAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PlacementAttempts = table.Column<int>(type: "integer", nullable: false),
                    HomeApproval = table.Column<int>(type: "integer", nullable: false),
                    HomeDecidedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    HomeAutomatic = table.Column<bool>(type: "boolean", nullable: false),
                    HomeDecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    HostApproval = table.Column<int>(type: "integer", nullable: false),
                    HostDecidedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    HostAutomatic = table.Column<bool>(type: "boolean", nullable: false),
                    HostDecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RejectionReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CleanupPending = table.Column<bool>(type: "boolean", nullable: false),
                    NextStepAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LeasedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LeaseToken = table.Column<Guid>(type: "uuid", nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    TraceParent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    SshPublicKeys = table.Column<string>(type: "character varying(40000)", maxLength: 40000, nullable: true),
                    SshKeyFingerprints = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    UserData = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hosting_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    processed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "known_agencies",
                columns: table => new
                {
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_agencies", x => x.AgencyId);
                });

            migrationBuilder.CreateTable(
                name: "known_external_identities",
                columns: table => new
                {
                    Issuer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_external_identities", x => new { x.Issuer, x.Subject });
                });

            migrationBuilder.CreateTable(
                name: "known_facilities",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_facilities", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "known_prices",
                columns: table => new
                {
                    CatalogueId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    From = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Prices_MemoryGibHourXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_PublicIpv4MonthXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_StorageGibMonthXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_VcpuHourXof = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_prices", x => x.CatalogueId);
                });

            migrationBuilder.CreateTable(
                name: "known_project_members",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    IsMember = table.Column<bool>(type: "boolean", nullable: false),
                    Revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_project_members", x => new { x.ProjectId, x.UserId });
                });

            migrationBuilder.CreateTable(
                name: "known_projects",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_projects", x => x.ProjectId);
                });

            migrationBuilder.CreateTable(
                name: "known_roles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_roles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_type = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    dispatched_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    refusals = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    parked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    trace_parent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_messages", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "placement_decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    Attempt = table.Column<int>(type: "integer", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    PoolId = table.Column<Guid>(type: "uuid", nullable: true),
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: true),
                    ReasonFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ReasonEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ConsideredJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_placement_decisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "project_firewalls",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    RulesJson = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_project_firewalls", x => x.ProjectId);
                });

            migrationBuilder.CreateTable(
                name: "projection_revisions",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_projection_revisions", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: true),
                    ServerId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: true),
                    DetailFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    DetailEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    FoundAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClearedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reconciliation_findings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ssh_keys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Algorithm = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Bits = table.Column<int>(type: "integer", nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublicKey = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ssh_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vm_snapshots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FacilityStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SizeGib = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ImageId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    TakenBy = table.Column<Guid>(type: "uuid", nullable: false),
                    TakenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RemovedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vm_snapshots", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Name = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Flavour = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Vcpu = table.Column<long>(type: "bigint", nullable: false),
                    MemoryGib = table.Column<long>(type: "bigint", nullable: false),
                    DiskGib = table.Column<long>(type: "bigint", nullable: false),
                    PublicIpv4 = table.Column<bool>(type: "boolean", nullable: false),
                    Image = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ClaimId = table.Column<Guid>(type: "uuid", nullable: true),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FacilityStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    ActivatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecommissionedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecommissionReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    TargetVcpu = table.Column<long>(type: "bigint", nullable: true),
                    TargetMemoryGib = table.Column<long>(type: "bigint", nullable: true),
                    TargetDiskGib = table.Column<long>(type: "bigint", nullable: true),
                    ResizeGrown = table.Column<bool>(type: "boolean", nullable: false),
                    ResizeRefusedReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ResizeAskedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ServerId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    BuildDeadline = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LostAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Addresses = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    PowerOperationId = table.Column<Guid>(type: "uuid", nullable: true),
                    PowerAction = table.Column<int>(type: "integer", nullable: true),
                    PowerAskedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PowerRefusedReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    PublicAddress = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_vms_hosting_requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "hosting_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "audit_head",
                columns: new[] { "id", "hash", "position" },
                values: new object[] { 1, "0000000000000000000000000000000000000000000000000000000000000000", 0L });

            migrationBuilder.CreateIndex(
                name: "IX_agreements_in_force_GuestStateCode",
                table: "agreements_in_force",
                column: "GuestStateCode");

            migrationBuilder.CreateIndex(
                name: "IX_call_replays_created_at",
                table: "call_replays",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "IX_facility_outages_FacilityId_StartedAt",
                table: "facility_outages",
                columns: new[] { "FacilityId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_hosting_requests_AgencyId_Status",
                table: "hosting_requests",
                columns: new[] { "AgencyId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_hosting_requests_NextStepAt",
                table: "hosting_requests",
                column: "NextStepAt");

            migrationBuilder.CreateIndex(
                name: "IX_hosting_requests_Status_SubmittedAt",
                table: "hosting_requests",
                columns: new[] { "Status", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_messages_processed_at",
                table: "inbox_messages",
                column: "processed_at");

            migrationBuilder.CreateIndex(
                name: "IX_known_prices_FacilityId",
                table: "known_prices",
                column: "FacilityId");

            migrationBuilder.CreateIndex(
                name: "IX_known_project_members_UserId",
                table: "known_project_members",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_known_roles_UserId",
                table: "known_roles",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_dispatched_at",
                table: "outbox_messages",
                column: "dispatched_at");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_message_id",
                table: "outbox_messages",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_placement_decisions_RequestId_Attempt",
                table: "placement_decisions",
                columns: new[] { "RequestId", "Attempt" });

            migrationBuilder.CreateIndex(
                name: "IX_reconciliation_findings_FacilityId_ClearedAt",
                table: "reconciliation_findings",
                columns: new[] { "FacilityId", "ClearedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ssh_keys_UserId_AgencyId_Fingerprint",
                table: "ssh_keys",
                columns: new[] { "UserId", "AgencyId", "Fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_vm_snapshots_VmId",
                table: "vm_snapshots",
                column: "VmId");

            migrationBuilder.CreateIndex(
                name: "IX_vms_AgencyId_Status",
                table: "vms",
                columns: new[] { "AgencyId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_vms_FacilityId_Status",
                table: "vms",
                columns: new[] { "FacilityId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_vms_RequestId",
                table: "vms",
                column: "RequestId");

            migrationBuilder.AddAppendOnlyGuard();
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agency_ssh_access");

            migrationBuilder.DropTable(
                name: "agreements_in_force");

            migrationBuilder.DropTable(
                name: "audit_entries");

            migrationBuilder.DropTable(
                name: "audit_head");

            migrationBuilder.DropTable(
                name: "auto_approval_policies");

            migrationBuilder.DropTable(
                name: "call_replays");

            migrationBuilder.DropTable(
                name: "ended_agreements");

            migrationBuilder.DropTable(
                name: "facility_catalogue_states");

            migrationBuilder.DropTable(
                name: "facility_connections");

            migrationBuilder.DropTable(
                name: "facility_flavours");

            migrationBuilder.DropTable(
                name: "facility_images");

            migrationBuilder.DropTable(
                name: "facility_outages");

            migrationBuilder.DropTable(
                name: "facility_watches");

            migrationBuilder.DropTable(
                name: "firewall_applications");

            migrationBuilder.DropTable(
                name: "inbox_messages");

            migrationBuilder.DropTable(
                name: "known_agencies");

            migrationBuilder.DropTable(
                name: "known_external_identities");

            migrationBuilder.DropTable(
                name: "known_facilities");

            migrationBuilder.DropTable(
                name: "known_prices");

            migrationBuilder.DropTable(
                name: "known_project_members");

            migrationBuilder.DropTable(
                name: "known_projects");

            migrationBuilder.DropTable(
                name: "known_roles");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "placement_decisions");

            migrationBuilder.DropTable(
                name: "project_firewalls");

            migrationBuilder.DropTable(
                name: "projection_revisions");

            migrationBuilder.DropTable(
                name: "reconciliation_findings");

            migrationBuilder.DropTable(
                name: "ssh_keys");

            migrationBuilder.DropTable(
                name: "vm_snapshots");

            migrationBuilder.DropTable(
                name: "vms");

            migrationBuilder.DropTable(
                name: "hosting_requests");
        }
    }
}
