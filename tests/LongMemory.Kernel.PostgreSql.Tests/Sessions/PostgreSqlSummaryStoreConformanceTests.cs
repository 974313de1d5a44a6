using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Sessions;

[RequiresPostgres]
public sealed class PostgreSqlSummaryStoreConformanceTests : SummaryStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => PostgreSqlConformanceStores.CreateAsync(Clock);
}
