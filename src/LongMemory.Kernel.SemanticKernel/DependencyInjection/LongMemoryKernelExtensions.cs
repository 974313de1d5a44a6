using LongMemory.Kernel;
using LongMemory.Kernel.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Microsoft.SemanticKernel;

/// <summary>Registers long-term memory with Semantic Kernel: the memory plugin, and the memory middleware behind the kernel's chat service.</summary>
public static class LongMemoryKernelExtensions
{
    internal const string MarkerProperty = "longmemory.tool";

    /// <summary>Adds the memory functions for one user and session to a kernel's plugins.</summary>
    /// <param name="plugins">The kernel's plugins.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user and session the functions act for (the model cannot change it).</param>
    /// <param name="pluginName">The plugin name; default <see cref="LongMemoryPlugin.DefaultPluginName"/>.</param>
    /// <returns>The plugin.</returns>
    /// <remarks>
    /// Argument errors the kernel catches before a function runs (a missing or mistyped argument) reach the model as the
    /// kernel reports them; register through <see cref="AddLongMemory(IKernelBuilderPlugins, ChatMemory, MemoryScope, string)"/>
    /// to have them as <c>{"error": ...}</c> too.
    /// </remarks>
    public static KernelPlugin AddLongMemory(this ICollection<KernelPlugin> plugins, ChatMemory memory, MemoryScope scope, string pluginName = LongMemoryPlugin.DefaultPluginName)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var plugin = KernelPluginFactory.CreateFromObject(new LongMemoryPlugin(memory, scope), pluginName);
        plugins.Add(plugin);
        return plugin;
    }

    /// <summary>Adds the memory functions for one user and session to a kernel builder's plugins.</summary>
    /// <param name="plugins">The builder's plugins.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user and session the functions act for.</param>
    /// <param name="pluginName">The plugin name; default <see cref="LongMemoryPlugin.DefaultPluginName"/>.</param>
    /// <returns>The builder's plugins.</returns>
    public static IKernelBuilderPlugins AddLongMemory(this IKernelBuilderPlugins plugins, ChatMemory memory, MemoryScope scope, string pluginName = LongMemoryPlugin.DefaultPluginName)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var plugin = KernelPluginFactory.CreateFromObject(new LongMemoryPlugin(memory, scope), pluginName);
        plugins.Services.AddSingleton(plugin);
        plugins.Services.AddSingleton<IFunctionInvocationFilter>(new LongMemoryToolErrorFilter(pluginName));
        return plugins;
    }

    /// <summary>Adds the memory functions of <paramref name="toolSet"/> for one user and session to a kernel's plugins.</summary>
    /// <param name="plugins">The kernel's plugins.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user and session the functions act for (the model cannot change it).</param>
    /// <param name="toolSet">Which functions: <see cref="MemoryToolSet.Full"/> (<see cref="LongMemoryPlugin"/>) or
    /// <see cref="MemoryToolSet.Compact"/> (<see cref="LongMemoryCompactPlugin"/>, for small windows).</param>
    /// <param name="pluginName">The plugin name; default <see cref="LongMemoryPlugin.DefaultPluginName"/>.</param>
    /// <returns>The plugin.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toolSet"/> is not a defined <see cref="MemoryToolSet"/>.</exception>
    public static KernelPlugin AddLongMemory(this ICollection<KernelPlugin> plugins, ChatMemory memory, MemoryScope scope, MemoryToolSet toolSet, string pluginName = LongMemoryPlugin.DefaultPluginName)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var plugin = CreatePlugin(memory, scope, toolSet, pluginName);
        plugins.Add(plugin);
        return plugin;
    }

    /// <summary>Adds the memory functions of <paramref name="toolSet"/> for one user and session to a kernel builder's plugins.</summary>
    /// <param name="plugins">The builder's plugins.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user and session the functions act for.</param>
    /// <param name="toolSet">Which functions: <see cref="MemoryToolSet.Full"/> or <see cref="MemoryToolSet.Compact"/> (for small windows).</param>
    /// <param name="pluginName">The plugin name; default <see cref="LongMemoryPlugin.DefaultPluginName"/>.</param>
    /// <returns>The builder's plugins.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toolSet"/> is not a defined <see cref="MemoryToolSet"/>.</exception>
    public static IKernelBuilderPlugins AddLongMemory(this IKernelBuilderPlugins plugins, ChatMemory memory, MemoryScope scope, MemoryToolSet toolSet, string pluginName = LongMemoryPlugin.DefaultPluginName)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var plugin = CreatePlugin(memory, scope, toolSet, pluginName);
        plugins.Services.AddSingleton(plugin);
        plugins.Services.AddSingleton<IFunctionInvocationFilter>(new LongMemoryToolErrorFilter(pluginName));
        return plugins;
    }

    /// <summary>
    /// Gives the kernel's chat service long-term memory: registers <paramref name="memory"/> and wraps the chat
    /// completion service (and chat client) registered so far with the memory middleware (<see cref="LongMemoryChatClient"/>).
    /// Call it after registering the model.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="options">The middleware's defaults (user, session, report callback). Each call can name its own user and
    /// session with <see cref="LongMemoryExecutionSettings"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">No chat completion service or chat client is registered yet.</exception>
    public static IKernelBuilder AddLongMemory(this IKernelBuilder builder, ChatMemory memory, LongMemoryChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(memory);
        builder.Services.AddSingleton(memory);
        Decorate(builder.Services, _ => memory, options);
        return builder;
    }

    /// <summary>
    /// Gives the kernel's chat service long-term memory with a <see cref="ChatMemory"/> built from the services
    /// (<c>services.AddLongMemory</c>): the returned builder chooses its store, index and models.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Changes the memory options.</param>
    /// <param name="options">The middleware's defaults.</param>
    /// <returns>The memory's builder.</returns>
    /// <exception cref="InvalidOperationException">No chat completion service or chat client is registered yet.</exception>
    public static LongMemoryBuilder AddLongMemory(this IKernelBuilder builder, Action<ChatMemoryOptions>? configure, LongMemoryChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var memoryBuilder = builder.Services.AddLongMemory(configure);
        Decorate(builder.Services, sp => sp.GetRequiredService<ChatMemory>(), options);
        return memoryBuilder;
    }

    private static KernelPlugin CreatePlugin(ChatMemory memory, MemoryScope scope, MemoryToolSet toolSet, string pluginName) => toolSet switch
    {
        MemoryToolSet.Full => KernelPluginFactory.CreateFromObject(new LongMemoryPlugin(memory, scope), pluginName),
        MemoryToolSet.Compact => KernelPluginFactory.CreateFromObject(new LongMemoryCompactPlugin(memory, scope), pluginName),
        _ => throw new ArgumentOutOfRangeException(nameof(toolSet), toolSet, "toolSet must be MemoryToolSet.Full or MemoryToolSet.Compact."),
    };

    private static void Decorate(IServiceCollection services, Func<IServiceProvider, ChatMemory> memory, LongMemoryChatClientOptions? options)
    {
        options?.Validate();
        if (options?.MemoryTools is not null)
        {
            // The kernel's function invocation sits above the memory and runs only the kernel's functions.
            throw new ArgumentException(
                "LongMemoryChatClientOptions.MemoryTools is not supported behind the kernel's chat service: add the memory functions as a plugin instead (kernel.Plugins.AddLongMemory(memory, scope, MemoryToolSet.Compact)).",
                nameof(options));
        }

        var decorated = false;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var descriptor = services[i];
            if (descriptor.IsKeyedService)
            {
                continue;
            }

            if (descriptor.ServiceType == typeof(IChatCompletionService))
            {
                services[i] = ServiceDescriptor.Describe(typeof(IChatCompletionService), sp =>
                {
                    var inner = ((IChatCompletionService)Resolve(descriptor, sp)).AsChatClient();
                    return new ChatClientBuilder(new PerCallScopeChatClient(inner, memory(sp), options))
                        .UseKernelFunctionInvocation(sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>())
                        .Build(sp)
                        .AsChatCompletionService(sp);
                }, descriptor.Lifetime);
                decorated = true;
            }
            else if (descriptor.ServiceType == typeof(IChatClient))
            {
                services[i] = ServiceDescriptor.Describe(typeof(IChatClient), sp => new PerCallScopeChatClient((IChatClient)Resolve(descriptor, sp), memory(sp), options), descriptor.Lifetime);
                decorated = true;
            }
        }

        if (!decorated)
        {
            throw new InvalidOperationException("AddLongMemory found no chat completion service or chat client to give memory: register the model first (for example builder.Services.AddChatClient(...) or builder.AddOpenAIChatCompletion(...)), then call AddLongMemory.");
        }
    }

    private static object Resolve(ServiceDescriptor descriptor, IServiceProvider sp)
        => descriptor.ImplementationInstance
           ?? descriptor.ImplementationFactory?.Invoke(sp)
           ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
}
