namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteSummaryStoreConformanceTests : SummaryStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
