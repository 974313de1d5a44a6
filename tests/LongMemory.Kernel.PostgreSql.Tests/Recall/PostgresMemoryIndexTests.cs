using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Recall;

/// <summary>The <see cref="IMemoryIndex"/> conformance suite against PostgreSQL, each test in its own schema (dropped afterwards).</summary>
[RequiresPostgres]
public sealed class PostgresMemoryIndexTests : MemoryIndexConformanceTests
{
    private readonly string _schema = PostgresTestServer.NewSchemaName();
    private string? _connectionString;

    protected override async Task<IMemoryIndex> CreateIndexAsync()
    {
        _connectionString = await PostgresTestServer.GetConnectionStringAsync();
        return new PostgresMemoryIndex(new PostgreSqlMemoryOptions { ConnectionString = _connectionString, Schema = _schema });
    }

    protected override async Task DisposeIndexAsync(IMemoryIndex index)
    {
        await base.DisposeIndexAsync(index);
        await PostgresTestServer.DropSchemaAsync(_connectionString!, _schema);
    }
}
