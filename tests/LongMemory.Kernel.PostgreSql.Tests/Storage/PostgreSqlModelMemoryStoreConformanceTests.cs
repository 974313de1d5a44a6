using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using LongMemory.Kernel.PostgreSql.Tests.Sessions;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

[RequiresPostgres]
public sealed class PostgreSqlModelMemoryStoreConformanceTests : ModelMemoryStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => PostgreSqlConformanceStores.CreateAsync(Clock);
}
