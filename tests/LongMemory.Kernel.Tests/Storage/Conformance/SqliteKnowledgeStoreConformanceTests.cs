namespace LongMemory.Kernel.Tests.Storage.Conformance;

public sealed class SqliteKnowledgeStoreConformanceTests : KnowledgeStoreConformanceTests
{
    protected override Task<MemoryStoreSet> CreateStoresAsync() => SqliteConformanceStores.CreateAsync(Clock);
}
