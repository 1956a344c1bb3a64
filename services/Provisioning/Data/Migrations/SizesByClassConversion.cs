using Microsoft.EntityFrameworkCore.Migrations;

namespace Aes.Provisioning.Data.Migrations;

/// <summary>
/// The migration SizesByClass (ADR 052): a VM's size and its resize's target, a request's total, a facility flavour's
/// shape and an auto-approval policy's limits move from a column per class to one value by class, converted in place
/// and in the migration's transaction. Only the request lines kept as JSON need each database's JSON functions.
/// </summary>
internal static class SizesByClassConversion
{
    private const string PublicAddress = "CASE WHEN \"PublicIpv4\" THEN 1 ELSE 0 END";

    public static void Up(MigrationBuilder migrationBuilder, bool postgres)
    {
        // A VM: its size, every class, in the column that held its accelerators; its resize's target the same way.
        migrationBuilder.AddColumn<string>(name: "TargetSize", table: "vms", maxLength: ResourceVectorColumns.MaxLength, nullable: true);
        migrationBuilder.Sql($"""
            UPDATE "vms" SET "TargetSize" = CASE WHEN "TargetVcpu" IS NULL THEN NULL ELSE {ResourceVectorColumns.JsonOf(
                [("memory_gib", "\"TargetMemoryGib\""), ("public_ipv4", PublicAddress), ("storage_gib", "\"TargetDiskGib\""), ("vcpu", "\"TargetVcpu\"")], "Accelerators")} END;
            """);
        migrationBuilder.Sql($"""
            UPDATE "vms" SET "Accelerators" = {ResourceVectorColumns.JsonOf(
                [("memory_gib", "\"MemoryGib\""), ("public_ipv4", PublicAddress), ("storage_gib", "\"DiskGib\""), ("vcpu", "\"Vcpu\"")], "Accelerators")};
            """);
        migrationBuilder.RenameColumn(name: "Accelerators", table: "vms", newName: "Size");
        ResourceVectorColumns.DropColumns(migrationBuilder, "vms", ["DiskGib", "MemoryGib", "PublicIpv4", "TargetDiskGib", "TargetMemoryGib", "TargetVcpu", "Vcpu"]);

        // A request: its total, every class, in the column that held its accelerators' total; its lines by class.
        migrationBuilder.Sql($"""
            UPDATE "hosting_requests" SET "TotalAccelerators" = {ResourceVectorColumns.JsonOf(
                [("memory_gib", "\"TotalMemoryGib\""), ("public_ipv4", "\"TotalPublicIpv4\""), ("storage_gib", "\"TotalDiskGib\""), ("vcpu", "\"TotalVcpu\"")], "TotalAccelerators")};
            """);
        migrationBuilder.RenameColumn(name: "TotalAccelerators", table: "hosting_requests", newName: "Total");
        ResourceVectorColumns.DropColumns(migrationBuilder, "hosting_requests", ["TotalDiskGib", "TotalMemoryGib", "TotalPublicIpv4", "TotalVcpu"]);
        migrationBuilder.Sql(postgres ? PostgresLines : SqliteLines);

        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "facility_flavours", "Shape", ("memory_gib", "MemoryGib"), ("storage_gib", "DiskGib"), ("vcpu", "Vcpu"));

        // A policy of at most 0 vCPU approved nothing: it stays approving nothing, as a disabled policy, since a class left
        // out of the new limits is not bounded.
        migrationBuilder.Sql("UPDATE \"auto_approval_policies\" SET \"Enabled\" = FALSE WHERE \"MaxVcpu\" = 0;");
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "auto_approval_policies", "MaxPerRequest", ("vcpu", "MaxVcpu"));
    }

    /// <summary>Each line's vCPU, memory, disk, address and accelerators as one list by class, in the order lines were given.</summary>
    private const string PostgresLines = """
        UPDATE "hosting_requests" SET "VmLinesJson" = COALESCE((
            SELECT json_agg(json_build_object(
                'flavour', l -> 'flavour',
                'resources', (
                    SELECT COALESCE(json_agg(json_build_object('class', a.c, 'amount', a.n) ORDER BY a.c COLLATE "C"), '[]'::json) FROM (
                        SELECT 'vcpu' AS c, (l ->> 'vcpu')::bigint AS n
                        UNION ALL SELECT 'memory_gib', (l ->> 'memoryGib')::bigint
                        UNION ALL SELECT 'storage_gib', (l ->> 'diskGib')::bigint
                        UNION ALL SELECT 'public_ipv4', CASE WHEN (l ->> 'publicIpv4')::boolean THEN 1 ELSE 0 END
                        UNION ALL SELECT x ->> 'class', (x ->> 'amount')::bigint
                            FROM json_array_elements(CASE WHEN json_typeof(l -> 'accelerators') = 'array' THEN l -> 'accelerators' ELSE '[]'::json END) AS x
                    ) AS a WHERE a.n <> 0),
                'image', l -> 'image',
                'count', l -> 'count') ORDER BY o)
            FROM json_array_elements("VmLinesJson"::json) WITH ORDINALITY AS t(l, o)), '[]'::json)::text;
        """;

    private const string SqliteLines = """
        UPDATE "hosting_requests" SET "VmLinesJson" = COALESCE((
            SELECT json_group_array(json(line)) FROM (
                SELECT json_object(
                    'flavour', json_extract(l.value, '$.flavour'),
                    'resources', json((
                        SELECT COALESCE(json_group_array(json_object('class', a.c, 'amount', a.n)), '[]') FROM (
                            SELECT c, n FROM (
                                SELECT 'vcpu' AS c, json_extract(l.value, '$.vcpu') AS n
                                UNION ALL SELECT 'memory_gib', json_extract(l.value, '$.memoryGib')
                                UNION ALL SELECT 'storage_gib', json_extract(l.value, '$.diskGib')
                                UNION ALL SELECT 'public_ipv4', CASE WHEN json_extract(l.value, '$.publicIpv4') THEN 1 ELSE 0 END
                                UNION ALL SELECT json_extract(x.value, '$.class'), json_extract(x.value, '$.amount')
                                    FROM json_each(CASE WHEN json_type(l.value, '$.accelerators') = 'array' THEN json_extract(l.value, '$.accelerators') ELSE '[]' END) AS x
                            ) WHERE n <> 0 ORDER BY c
                        ) AS a)),
                    'image', json_extract(l.value, '$.image'),
                    'count', json_extract(l.value, '$.count')) AS line
                FROM json_each("hosting_requests"."VmLinesJson") AS l ORDER BY l.key
            )), '[]');
        """;
}
