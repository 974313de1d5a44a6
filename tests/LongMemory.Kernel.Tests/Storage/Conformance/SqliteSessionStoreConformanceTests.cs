namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
