namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteDocumentStoreConformanceTests : DocumentStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
