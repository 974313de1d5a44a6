using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using LongMemory.Kernel.PostgreSql.Tests.Sessions;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

[RequiresPostgres]
public sealed class PostgreSqlDocumentStoreConformanceTests : DocumentStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => PostgreSqlConformanceStores.CreateAsync(Clock);
}
