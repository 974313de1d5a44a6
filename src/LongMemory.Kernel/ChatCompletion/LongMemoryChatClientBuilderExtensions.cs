using LongMemory.Kernel;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="LongMemoryChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class LongMemoryChatClientBuilderExtensions
{
    /// <summary>
    /// Adds long-term memory to the pipeline, with the <see cref="ChatMemory"/> registered by <c>AddLongMemory</c>:
    /// <c>services.AddChatClient(model).UseLongMemory()</c>. The user and session are resolved per call
    /// (see <see cref="LongMemoryChatClient"/>); an <see cref="ILongMemoryUserAccessor"/> in the container is used.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Sets the user resolver, anonymous sessions and the report callback, with the app's services.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Place function invocation before it (<c>.UseFunctionInvocation().UseLongMemory()</c>: the loop runs outside the
    /// memory, each round trip is stored in the call's session) or after it: both keep a loop in one session.
    /// </remarks>
    public static ChatClientBuilder UseLongMemory(this ChatClientBuilder builder, Action<IServiceProvider, LongMemoryChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new LongMemoryChatClientOptions();
            configure?.Invoke(services, options);
            return new LongMemoryChatClient(inner, services.GetRequiredService<ChatMemory>(), options, services);
        });
    }

    /// <summary>Adds long-term memory to the pipeline with the given memory (no container needed).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="configure">Sets the user resolver, anonymous sessions and the report callback.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseLongMemory(this ChatClientBuilder builder, ChatMemory memory, Action<LongMemoryChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(memory);
        return builder.Use((inner, services) =>
        {
            var options = new LongMemoryChatClientOptions();
            configure?.Invoke(options);
            return new LongMemoryChatClient(inner, memory, options, services);
        });
    }
}
