using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Sessions;

[RequiresPostgres]
public sealed class PostgreSqlSessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => PostgreSqlConformanceStores.CreateAsync(Clock);
}
