using System.Security.Claims;
using LongMemory.Kernel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LongMemory.Kernel.AspNetCore.Tests;

/// <summary>The README's ASP.NET Core example, verbatim between the markers, plus the test's stand-in for sign-in.</summary>
internal static class ChatApi
{
    public static WebApplication Build(IChatClient model, string databasePath)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        // README: aspnetcore begin
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<ILongMemoryUserAccessor, HttpContextUserAccessor>();
        builder.Services.AddLongMemory().UseSqlite(databasePath);
        builder.Services.AddChatClient(model).UseLongMemory();   // one singleton client serves every user
        // README: aspnetcore end

        var app = builder.Build();
        app.Use((context, next) =>
        {
            // Stand-in for real authentication: the test names the user in a header.
            if (context.Request.Headers.TryGetValue("X-Test-User", out var user))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.ToString())], "test"));
            }

            return next(context);
        });

        // README: aspnetcore-endpoint begin
        app.MapPost("/chat/{sessionId}", async (string sessionId, ChatRequest request, IChatClient chat, CancellationToken cancellationToken) =>
        {
            try
            {
                var response = await chat.GetResponseAsync(
                    [new ChatMessage(ChatRole.User, request.Text)],
                    new ChatOptions { ConversationId = sessionId },
                    cancellationToken);
                return Results.Ok(new ChatReply(response.Text));
            }
            catch (LongMemoryUserRequiredException)
            {
                return Results.Unauthorized();
            }
            catch (SessionNotFoundException)
            {
                return Results.NotFound();
            }
        });
        // README: aspnetcore-endpoint end
        return app;
    }
}

internal sealed record ChatRequest(string Text);

internal sealed record ChatReply(string Text);
