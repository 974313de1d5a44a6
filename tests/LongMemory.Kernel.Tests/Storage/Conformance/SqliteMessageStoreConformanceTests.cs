namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteMessageStoreConformanceTests : MessageStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
