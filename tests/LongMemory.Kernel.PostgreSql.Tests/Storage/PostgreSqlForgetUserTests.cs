using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

/// <summary>ForgetUserAsync on PostgreSQL: one transaction over every table (the index's too), all or nothing.</summary>
[RequiresPostgres]
public sealed class PostgreSqlForgetUserTests : IAsyncLifetime
{
    // Lower-case so the marker also matches the lexemes of the full-text column.
    private readonly string _alice = "alice-zq" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _bob = "bob-zq" + Guid.NewGuid().ToString("N")[..12];
    private TestSchema _schema = null!;
    private PostgreSqlMemoryDatabase _database = null!;
    private ChatMemory _memory = null!;

    public async Task InitializeAsync()
    {
        _schema = await TestSchema.CreateAsync();
        _database = new PostgreSqlMemoryDatabase(_schema.Options());
        _memory = new ChatMemory(new ChatMemoryComponents
        {
            Sessions = new PostgreSqlSessionStore(_database),
            Knowledge = new PostgreSqlKnowledgeStore(_database),
            ModelMemory = new PostgreSqlModelMemoryStore(_database),
            Documents = new PostgreSqlDocumentStore(_database),
            Index = new PostgresMemoryIndex(_database),
            OwnerPurge = new PostgreSqlOwnerPurge(_database),
            EmbeddingGenerator = new HashingEmbeddingGenerator(),
            TokenCounter = TiktokenTokenCounter.CreateO200kBase(),
        });
    }

    public async Task DisposeAsync()
    {
        await _memory.DisposeAsync();
        await _database.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task ForgetUserAsync_LeavesNoRowOfTheUserInAnyTableAndTheOtherUserIntact()
    {
        await WriteEverythingAsync(_alice);
        await WriteEverythingAsync(_bob);
        // Written past the memory, so its outbox entry is still pending when the user is forgotten.
        await new PostgreSqlKnowledgeStore(_database).UpsertAsync(new KnowledgeEntry { Owner = MemoryOwner.User(_alice), Key = "pending", Value = "not indexed yet" });
        var before = await RowsMentioningAsync(_alice);
        var bobBefore = await RowsMentioningAsync(_bob);
        Assert.Equal(
            ["documents", "index_outbox", "knowledge_entries", "memory_items", "messages", "model_memory", "sessions", "summaries"],
            before.Keys);

        var receipt = await _memory.ForgetUserAsync(_alice);

        Assert.Empty(await RowsMentioningAsync(_alice));
        Assert.Equal(bobBefore, await RowsMentioningAsync(_bob));
        Assert.Equal(_alice, receipt.UserId);
        Assert.Equal(before["sessions"], receipt.Sessions);
        Assert.Equal(20, receipt.Messages);
        Assert.Equal(before["messages"], receipt.Messages);
        Assert.Equal(before["summaries"], receipt.Summaries);
        Assert.Equal(before["knowledge_entries"], receipt.KnowledgeEntries);
        Assert.Equal(before["model_memory"], receipt.ModelMemoryEntries);
        Assert.Equal(before["memory_items"], receipt.IndexItems);
        Assert.Empty(await _memory.ListSessionsAsync(_alice));
    }

    [Fact(Timeout = 120_000)]
    public async Task ForgetUserAsync_FailsInTheMiddle_LeavesEveryRowInPlace()
    {
        await WriteEverythingAsync(_alice);
        var before = await RowsMentioningAsync(_alice);

        // Model memory is deleted after the sessions, messages, summaries, documents and outbox of the same transaction.
        await _schema.ScalarAsync(
            """
            CREATE FUNCTION {schema}.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'delete refused by the test'; END $$;
            CREATE TRIGGER refuse_delete BEFORE DELETE ON {schema}.model_memory FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_delete();
            """);

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => _memory.ForgetUserAsync(_alice));

        Assert.Contains("delete refused by the test", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await RowsMentioningAsync(_alice));
        await _schema.ScalarAsync("DROP TRIGGER refuse_delete ON {schema}.model_memory;");
        await _memory.ForgetUserAsync(_alice);
        Assert.Empty(await RowsMentioningAsync(_alice));
    }

    [Fact(Timeout = 120_000)]
    public async Task ForgetUserAsync_CancelledWhileBlockedMidway_LeavesEveryRowInPlace()
    {
        await WriteEverythingAsync(_alice);
        var before = await RowsMentioningAsync(_alice);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // Hold one of the user's model memory rows: the purge blocks there, after deleting the sessions and messages.
        await using var holder = await _schema.OpenAdminConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync(timeout.Token);
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM \"{_schema.Name}\".model_memory WHERE owner_key = $1 FOR UPDATE;", holder, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = MemoryOwner.User(_alice).Key });
            await lockRow.ExecuteNonQueryAsync(timeout.Token);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var forget = _memory.ForgetUserAsync(_alice, cancel.Token);
        await _schema.WaitForLockWaitersAsync(1, timeout.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => forget);
        await transaction.RollbackAsync(timeout.Token);
        Assert.Equal(before, await RowsMentioningAsync(_alice));
    }

    [Fact]
    public void IncludesIndex_SameDatabaseOrSameSchemaAndServer_TrueElseFalse()
    {
        var purge = new PostgreSqlOwnerPurge(_database);
        using var sameServer = new PostgreSqlMemoryDatabase(_schema.Options());
        var otherOptions = _schema.Options();
        otherOptions.Schema = "lmtest_elsewhere";
        using var otherSchema = new PostgreSqlMemoryDatabase(otherOptions);

        Assert.True(purge.IncludesIndex(new PostgresMemoryIndex(_database)));
        Assert.True(purge.IncludesIndex(new PostgresMemoryIndex(sameServer)));
        Assert.False(purge.IncludesIndex(new PostgresMemoryIndex(otherSchema)));
        Assert.False(purge.IncludesIndex(new SqliteMemoryIndex(SqliteMemoryDatabase.CreateInMemory())));
    }

    /// <summary>Writes a session with messages, a summary, a fact, model memory and a document, each naming the user, and indexes them.</summary>
    private async Task WriteEverythingAsync(string userId)
    {
        var session = await _memory.CreateSessionAsync(userId, title: "chat of " + userId);
        var scope = new MemoryScope(userId, session.Id);
        var memory = _memory.ForScope(scope);
        for (var i = 0; i < 10; i++)
        {
            await memory.AddMessagesAsync([
                new ChatMessage(ChatRole.User, $"Message {i} from {userId}: my favourite colour is teal."),
                new ChatMessage(ChatRole.Assistant, $"Noted, {userId}, answer {i}."),
            ]);
        }

        await memory.SummarizeOldestAsync(6);
        var summary = Assert.Single(await memory.GetSummariesAsync());
        Assert.Contains(userId, summary.Content, StringComparison.Ordinal);
        await memory.RememberFactAsync("nickname", "known as " + userId);
        await memory.SaveModelMemoryAsync("prefers short answers, says " + userId);
        await memory.ImportDocumentAsync("doc-1", "notes of " + userId, "The document of " + userId + " about teal paint.");
        await _memory.ProcessIndexBacklogAsync();
    }

    /// <summary>Counts, per table of the schema, the rows whose text (every column, cast to text) contains <paramref name="marker"/>.</summary>
    private async Task<SortedDictionary<string, long>> RowsMentioningAsync(string marker)
    {
        await using var connection = await _schema.OpenAdminConnectionAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE';", connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = _schema.Name });
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{_schema.Name}\".\"{table}\" AS t WHERE t::text LIKE '%' || $1 || '%';", connection);
            count.Parameters.Add(new NpgsqlParameter { Value = marker });
            if ((long)(await count.ExecuteScalarAsync())! is var n and > 0)
            {
                counts[table] = n;
            }
        }

        return counts;
    }
}
