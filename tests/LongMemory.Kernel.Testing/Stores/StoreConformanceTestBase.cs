using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The base of every store conformance suite (one suite per store interface). A backend derives one small class per suite
/// and creates a fresh, empty <see cref="MemoryStoreSet"/> in <see cref="CreateStoresAsync"/>; the tests use only the
/// public store interfaces.
/// </summary>
/// <remarks>
/// <para>
/// Owners are unique per test instance, so a backend whose "fresh" stores share a server (one schema for a whole test
/// class) still isolates tests. The outbox is global to a store set, so a backend must give each test its own outbox (a
/// fresh database file, a fresh schema) for the outbox suite's counts to hold.
/// </para>
/// <para>
/// <see cref="CreateStoresAsync"/> gives <see cref="Clock"/> to every store as its <see cref="TimeProvider"/>: the suites
/// move it by hand (never the wall clock) where an order in time matters, and compare the times a store assigns with it.
/// Times are compared at whole milliseconds, the precision every backend keeps.
/// </para>
/// <para>
/// Every wait on concurrent work goes through <see cref="WithinTimeout{T}(Task{T})"/>, so a deadlocked backend fails the
/// test instead of hanging the run.
/// </para>
/// </remarks>
public abstract class StoreConformanceTestBase : IAsyncLifetime
{
    /// <summary>How long a test waits for concurrent work before it fails.</summary>
    protected static readonly TimeSpan ConcurrencyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The time <see cref="Clock"/> starts at (a whole millisecond).</summary>
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _run = Guid.NewGuid().ToString("N")[..10];
    private MemoryStoreSet? _stores;

    /// <summary>Gets the stores under test.</summary>
    protected MemoryStoreSet Stores => _stores ?? throw new InvalidOperationException("The stores are created in InitializeAsync.");

    /// <summary>Gets the clock the backend's stores must use (it starts at <see cref="Start"/> and moves only when a test moves it).</summary>
    protected FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>Gets the first user of this test.</summary>
    protected MemoryOwner Alice => MemoryOwner.User("alice-" + _run);

    /// <summary>Gets the second user of this test.</summary>
    protected MemoryOwner Bob => MemoryOwner.User("bob-" + _run);

    /// <summary>Gets an anonymous-session owner whose id is spelled like <see cref="Alice"/>'s key, to attack prefix tricks.</summary>
    protected MemoryOwner AnonymousLookalike => MemoryOwner.AnonymousSession("user:alice-" + _run);

    /// <summary>Gets a user whose id is spelled like <see cref="AnonymousLookalike"/>'s key (the collision of the old owner keys).</summary>
    protected MemoryOwner UserLookalike => MemoryOwner.User("session:user:alice-" + _run);

    /// <summary>Gets every owner that is not <see cref="Alice"/>: each must see and change nothing of hers.</summary>
    protected IReadOnlyList<MemoryOwner> Intruders => [Bob, AnonymousLookalike, UserLookalike];

    /// <summary>Gets a text with an unpaired UTF-16 surrogate, which no UTF-8 backend can store verbatim (built at run time).</summary>
    protected static string LoneSurrogateText => "before " + (char)0xD800 + " after";

    /// <summary>
    /// Gets a text with U+0000 past its first 512 UTF-8 bytes. PostgreSQL cannot store U+0000 in text, and Microsoft.Data.Sqlite
    /// cuts a bound string that long at its first U+0000, so a backend must store such text verbatim or refuse it, never cut it.
    /// </summary>
    protected static string LongTextWithNul => new string('a', 600) + "\0" + "the part after the NUL";

    /// <summary>Creates fresh, empty stores that use <see cref="Clock"/>.</summary>
    /// <returns>The stores.</returns>
    protected abstract Task<MemoryStoreSet> CreateStoresAsync();

    /// <inheritdoc />
    public async Task InitializeAsync() => _stores = await CreateStoresAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }
    }

    /// <summary>Creates a session of <paramref name="owner"/> (an anonymous owner gets its own id).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The id, or <see langword="null"/> for a new one.</param>
    /// <param name="title">The title.</param>
    /// <returns>The session.</returns>
    protected Task<ChatSession> CreateSessionAsync(MemoryOwner owner, string? sessionId = null, string? title = null)
        => Stores.Sessions.CreateSessionAsync(owner, sessionId ?? (owner.Kind == MemoryOwnerKind.AnonymousSession ? owner.Id : null), title);

    /// <summary>Appends one user message per text to a session.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="contents">The texts, in order.</param>
    /// <returns>The stored messages.</returns>
    protected Task<IReadOnlyList<StoredMessage>> AppendAsync(MemoryOwner owner, string sessionId, params string[] contents)
        => Stores.Messages.AppendMessagesAsync(owner, sessionId, contents.Select(c => Message(c)).ToList());

    /// <summary>Creates a session of <paramref name="owner"/> holding one user message per text.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="contents">The texts, in order.</param>
    /// <returns>The session and its messages.</returns>
    protected async Task<(ChatSession Session, IReadOnlyList<StoredMessage> Messages)> SessionWithMessagesAsync(MemoryOwner owner, params string[] contents)
    {
        var session = await CreateSessionAsync(owner);
        var messages = contents.Length == 0 ? [] : await AppendAsync(owner, session.Id, contents);
        return (session, messages);
    }

    /// <summary>A new message.</summary>
    /// <param name="content">The text.</param>
    /// <param name="role">The role; user when <see langword="null"/>.</param>
    /// <param name="idempotencyKey">The idempotency key, if any.</param>
    /// <param name="tokenCount">The token count.</param>
    /// <returns>The message.</returns>
    protected static NewMessage Message(string content, ChatRole? role = null, string? idempotencyKey = null, int tokenCount = 1)
        => new() { Role = role ?? ChatRole.User, Content = content, IdempotencyKey = idempotencyKey, TokenCount = tokenCount };

    /// <summary>Asserts that <paramref name="call"/> throws an <see cref="ArgumentException"/> (or a subclass) naming <paramref name="paramName"/>.</summary>
    /// <param name="paramName">The parameter the exception must name.</param>
    /// <param name="call">The call.</param>
    /// <returns>The exception.</returns>
    protected static async Task<ArgumentException> AssertThrowsArgumentAsync(string paramName, Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(call);
        Assert.Equal(paramName, error.ParamName);
        return error;
    }

    /// <summary>
    /// Runs a call that must either be refused (an <see cref="ArgumentException"/>, or <see cref="SessionNotFoundException"/>)
    /// or return what <paramref name="check"/> accepts: for attacks where refusing and answering "nothing" both hold the promise.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="check">The check of a result.</param>
    /// <returns>A task.</returns>
    protected static async Task AssertRefusedOrAsync<T>(Func<Task<T>> call, Action<T> check)
    {
        T result;
        try
        {
            result = await call();
        }
        catch (Exception ex) when (ex is ArgumentException or SessionNotFoundException)
        {
            return;
        }

        check(result);
    }

    /// <summary>Asserts that a call is refused: an <see cref="ArgumentException"/>, or <see cref="SessionNotFoundException"/>.</summary>
    /// <param name="call">The call.</param>
    /// <returns>A task.</returns>
    protected static async Task AssertRefusedAsync(Func<Task> call)
    {
        var error = await Record.ExceptionAsync(call);
        Assert.True(error is ArgumentException or SessionNotFoundException, $"expected a refusal, got {error?.GetType().Name ?? "success"}");
    }

    /// <summary>Waits for concurrent work for at most <see cref="ConcurrencyTimeout"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The work.</param>
    /// <returns>Its result.</returns>
    protected static Task<T> WithinTimeout<T>(Task<T> task) => task.WaitAsync(ConcurrencyTimeout);

    /// <summary>Runs two calls at once (both released together) and waits for both, for at most <see cref="ConcurrencyTimeout"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="first">The first call.</param>
    /// <param name="second">The second call.</param>
    /// <returns>Both results, in order.</returns>
    protected static async Task<(T First, T Second)> RunConcurrentlyAsync<T>(Func<Task<T>> first, Func<Task<T>> second)
    {
        using var gate = new SemaphoreSlim(0, 2);
        async Task<T> RunAsync(Func<Task<T>> call)
        {
            await gate.WaitAsync(ConcurrencyTimeout);
            return await call();
        }

        var a = Task.Run(() => RunAsync(first));
        var b = Task.Run(() => RunAsync(second));
        gate.Release(2);
        var results = await WithinTimeout(Task.WhenAll(a, b));
        return (results[0], results[1]);
    }
}
