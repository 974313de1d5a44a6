using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Tells <see cref="LongMemoryChatClient"/> who the current user is, per call. Register an implementation in the
/// container (an ASP.NET Core app bases it on <c>IHttpContextAccessor</c> and the signed-in user's claims).
/// </summary>
public interface ILongMemoryUserAccessor
{
    /// <summary>Gets the id of the user the call is made for.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns>The user id, or <see langword="null"/> when there is no signed-in user.</returns>
    string? GetUserId(ChatOptions? options);
}
