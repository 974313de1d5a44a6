namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteModelMemoryStoreConformanceTests : ModelMemoryStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
