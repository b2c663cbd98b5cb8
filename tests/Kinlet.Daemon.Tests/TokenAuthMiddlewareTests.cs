using System.Text.Json;
using Kinlet.Daemon.Api;
using Kinlet.Daemon.Configuration;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Daemon.Tests;

public sealed class TokenAuthMiddlewareTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kinlet-auth-" + Guid.NewGuid().ToString("N"));

    private async Task<(int Status, bool Passed, string Body)> Run(string path, string? authorization)
    {
        var state = new StateDirectory(_dir);
        var passed = false;
        var middleware = new TokenAuthMiddleware(_ => { passed = true; return Task.CompletedTask; }, state);
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (authorization is not null) context.Request.Headers.Authorization = authorization.Replace("{token}", state.Token);
        context.Response.Body = new MemoryStream();
        await middleware.InvokeAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, passed, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Basic {token}")]
    [InlineData("Bearer")]
    public async Task Refuses_a_missing_or_wrong_token_with_a_json_401(string? header)
    {
        var (status, passed, body) = await Run("/apis/serving.knative.dev/v1/services", header);
        Assert.Equal(401, status);
        Assert.False(passed);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString();
        Assert.Contains(Path.Combine(_dir, "token"), error);
    }

    [Fact]
    public async Task Lets_the_right_token_through()
    {
        var (_, passed, _) = await Run("/apis/serving.knative.dev/v1/services", "Bearer {token}");
        Assert.True(passed);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_checks_need_no_token(string path)
    {
        var (_, passed, _) = await Run(path, null);
        Assert.True(passed);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
