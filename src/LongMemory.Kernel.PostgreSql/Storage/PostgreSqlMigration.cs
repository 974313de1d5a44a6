namespace LongMemory.Kernel.PostgreSql;

/// <summary>One versioned step of the schema: its SQL runs once per schema, in version order, inside the migration transaction.</summary>
/// <param name="Version">The version (1, 2, ...).</param>
/// <param name="Description">What the step adds.</param>
/// <param name="Sql">The statements, with <c>{schema}</c> standing for the quoted schema name.</param>
internal sealed record PostgreSqlMigration(int Version, string Description, string Sql);
