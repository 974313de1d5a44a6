// README: user-accessor begin
using System.Security.Claims;
using LongMemory.Kernel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

/// <summary>The signed-in user of the current request is the memory's user.</summary>
public sealed class HttpContextUserAccessor(IHttpContextAccessor http) : ILongMemoryUserAccessor
{
    public string? GetUserId(ChatOptions? options)
        => http.HttpContext?.User.FindFirstValue(ClaimTypes.NameIdentifier);
}
// README: user-accessor end
