namespace LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

/// <summary>
/// Skips every test of a class (including inherited ones) with a printed reason when no PostgreSQL is available
/// (<see cref="PostgresTestServer.SkipReason"/>). xunit 2 has no dynamic skip, and an inherited suite's <c>[Fact]</c>s
/// cannot be given a Skip per derived class, so <see cref="SkippingTestFramework"/> reads this attribute at discovery.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresPostgresAttribute : Attribute
{
    /// <summary>Gets whether the class also needs a cluster of its own (one it may restart), not only a server.</summary>
    public bool OwnCluster { get; init; }

    /// <summary>Gets the skip reason, or <see langword="null"/> when the tests can run.</summary>
    public string? SkipReason => OwnCluster
        ? PostgresBinaries.WhyNotStartable is { } reason ? "this test starts and restarts its own PostgreSQL cluster, and " + reason : null
        : PostgresTestServer.SkipReason;
}
