using Aes.Contracts;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Aes.Messaging.Persistence;

/// <summary>
/// Amounts or prices by resource class kept as one column: the compact JSON <see cref="ResourceVector"/> writes (classes in
/// ordinal order, zeros left out), written and read whole, because nothing ever changes one class of them alone (ADR 041).
/// </summary>
public static class ResourceVectorColumns
{
    public const int MaxLength = 4000;

    public static PropertyBuilder<ResourceVector> ByClass(this PropertyBuilder<ResourceVector> property) =>
        property.HasMaxLength(MaxLength).HasConversion(amounts => amounts.ToJson(), json => ResourceVector.FromJson(json), Comparer);

    public static ComplexTypePropertyBuilder<ResourceVector> ByClass(this ComplexTypePropertyBuilder<ResourceVector> property) =>
        property.HasMaxLength(MaxLength).HasConversion(amounts => amounts.ToJson(), json => ResourceVector.FromJson(json), Comparer);

    /// <summary>The same for a value that may be absent (a resize's target): null stays NULL, never passed to the conversion.</summary>
    public static PropertyBuilder<ResourceVector?> OptionalByClass(this PropertyBuilder<ResourceVector?> property) =>
        property.HasMaxLength(MaxLength).HasConversion(amounts => amounts!.ToJson(), json => ResourceVector.FromJson(json), OptionalComparer);

    private static readonly ValueComparer<ResourceVector?> OptionalComparer = new((a, b) => a == b, v => v == null ? 0 : v.GetHashCode());

    private static readonly ValueComparer<ResourceVector> Comparer = new((a, b) => a == b, v => v.GetHashCode());

    /// <summary>
    /// A migration's conversion of four columns into one <see cref="ByClass(PropertyBuilder{ResourceVector})"/> column, the
    /// same SQL on PostgreSQL and SQLite, in the migration's transaction: the column added, filled from the four (zeros left
    /// out), the four dropped. Written by hand because EF's SQLite rebuild would turn foreign keys off outside the transaction.
    /// </summary>
    /// <param name="columns">The class codes in ordinal order, each with the column it comes from.</param>
    public static void FoldIntoOne(MigrationBuilder migrationBuilder, string table, string target, params (string Class, string Column)[] columns)
    {
        migrationBuilder.AddColumn<string>(name: target, table: table, maxLength: MaxLength, nullable: false, defaultValue: "");
        migrationBuilder.Sql($"UPDATE \"{table}\" SET \"{target}\" = {JsonOf(columns.Select(c => (c.Class, $"\"{c.Column}\"")))};");
        DropColumns(migrationBuilder, table, columns.Select(c => c.Column));
    }

    /// <summary>
    /// The SQL, on PostgreSQL and SQLite alike, of one by-class value built from <paramref name="members"/> (a class and the
    /// expression of its amount; zeros left out) and, when named, the members a by-class column already holds.
    /// </summary>
    public static string JsonOf(IEnumerable<(string Class, string Amount)> members, string? byClassColumn = null)
    {
        var parts = string.Join(" || ", members.Select(m => $"COALESCE('\"{m.Class}\":' || NULLIF({m.Amount}, 0) || ',', '')"));
        var held = byClassColumn is null ? ""
            : $" || CASE WHEN length(\"{byClassColumn}\") > 2 THEN substr(\"{byClassColumn}\", 2, length(\"{byClassColumn}\") - 2) ELSE '' END";
        return $"'{{' || rtrim({parts}{held}, ',') || '}}'";
    }

    /// <summary>Drops columns by hand, for the same reason as <see cref="FoldIntoOne"/>.</summary>
    public static void DropColumns(MigrationBuilder migrationBuilder, string table, IEnumerable<string> columns)
    {
        foreach (var column in columns)
        {
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" DROP COLUMN \"{column}\";");
        }
    }
}
