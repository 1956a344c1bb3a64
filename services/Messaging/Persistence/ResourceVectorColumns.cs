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
        var members = string.Join(" || ", columns.Select(c => $"COALESCE('\"{c.Class}\":' || NULLIF(\"{c.Column}\", 0) || ',', '')"));
        migrationBuilder.Sql($"UPDATE \"{table}\" SET \"{target}\" = '{{' || rtrim({members}, ',') || '}}';");
        foreach (var (_, column) in columns)
        {
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" DROP COLUMN \"{column}\";");
        }
    }
}
