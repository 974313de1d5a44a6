namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteIndexOutboxConformanceTests : IndexOutboxConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
