namespace LongMemory.Kernel.Qdrant.Tests.Infrastructure;

/// <summary>
/// Skips every test of a class (including inherited ones) when an environment variable is not set, with a printed
/// reason. xunit 2 has no dynamic skip, and an inherited suite's <c>[Fact]</c>s cannot be given a Skip per derived
/// class, so <see cref="SkippingTestFramework"/> reads this attribute at discovery.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresEnvironmentVariableAttribute(string name, string reason) : Attribute
{
    public string Name { get; } = name;

    public string Reason { get; } = reason;

    /// <summary>Gets the skip reason, or <see langword="null"/> when the variable is set.</summary>
    public string? SkipReason =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Name)) ? $"{Name} is not set: {Reason}" : null;
}
