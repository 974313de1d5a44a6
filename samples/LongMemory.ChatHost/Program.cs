using LongMemory.ChatHost.Chat;
using LongMemory.ChatHost.Demo;
using LongMemory.ChatHost.Hosting;
using LongMemory.ChatHost.Rendering;

var ui = new ConsoleUi();
HostArguments arguments;
try
{
    arguments = HostArguments.Parse(args);
}
catch (ArgumentException ex)
{
    ui.Error(ex.Message);
    Console.Error.WriteLine(HostArguments.Usage);
    return 2;
}

if (arguments.ShowHelp)
{
    Console.WriteLine(HostArguments.Usage);
    return 0;
}

// Ctrl+C stops gracefully (every message is already saved); a second Ctrl+C ends the process at once.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        cancel.Cancel();
    }
};

try
{
    if (arguments.Demo)
    {
        return await DemoCommand.RunAsync(ui, arguments, cancel.Token);
    }

    await using var app = await ChatApp.StartAsync(ui, arguments, Console.In, cancel.Token);
    return await app.RunAsync(cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    ui.Info("Cancelled.");
    return 130;
}
catch (LongMemory.Kernel.LongMemoryStoreException ex)
{
    ui.Error(ex.Message);
    ui.Info(arguments.QdrantUrl is not null
        ? $"Check that Qdrant answers at {arguments.QdrantUrl} (and --qdrant-key), or run without --qdrant."
        : arguments.PostgresConnectionString is { } postgres
            ? $"Check that {MemoryFactory.DescribePostgres(postgres)} answers, the role may log in and the pgvector extension is installed (CREATE EXTENSION vector)."
            : "The memory database could not be used; check the --db path and its permissions.");
    return 1;
}
catch (LongMemory.Kernel.EmbeddingModelMismatchException ex)
{
    ui.Error(ex.Message);
    ui.Info("The database was indexed with another embedding model. Use the same --embed-model as before, or another --db.");
    return 1;
}
