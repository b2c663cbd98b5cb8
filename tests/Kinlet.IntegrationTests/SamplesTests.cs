using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>Every function sample deploys with <c>kinlet deploy samples/NAME</c>, as its README says, and answers as documented.</summary>
public sealed class SamplesTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Theory]
    [InlineData("hello")]
    [InlineData("hello-node")]
    [InlineData("hello-python")]
    [InlineData("hello-shell")]
    public async Task Hello_sample_deploys_and_answers(string sample)
    {
        var deployed = await Cli("deploy", Path.Combine(RepoPaths.Root(), "samples", sample));
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
        var (status, body) = await Daemon.GetAsync(Daemon.Host(sample));
        Assert.Equal(200, status);
        Assert.Equal("Hello World!", body.Trim());
        await Cli("service", "delete", sample);
    }

    [Fact]
    public async Task Markdown_sample_renders_escapes_and_limits()
    {
        var deployed = await Cli("deploy", Path.Combine(RepoPaths.Root(), "samples", "markdown"));
        Assert.True(deployed.ExitCode == 0, deployed.ToString());

        using var render = Post("# Hi\n\n[x](javascript:alert(1)) <script>x</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        using var rendered = await Daemon.Ingress.SendAsync(render);
        var html = await rendered.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)rendered.StatusCode);
        Assert.Equal("text/html", rendered.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1 id=\"hi\">Hi</h1>", html);
        Assert.Contains("<a href=\"#\">x</a>", html);          // the script link lost its target
        Assert.Contains("&lt;script&gt;", html);               // raw HTML is escaped
        Assert.Contains("<td>1</td>", html);                    // Markdig's table extension

        using var page = Post("# Title\n\ntext\n", "/?page=true");
        var whole = await (await Daemon.Ingress.SendAsync(page)).Content.ReadAsStringAsync();
        Assert.Contains("<title>Title</title>", whole);

        using var huge = Post(new string('a', 1100 * 1024));
        Assert.Equal(413, (int)(await Daemon.Ingress.SendAsync(huge)).StatusCode);
        await Cli("service", "delete", "markdown");
    }

    private HttpRequestMessage Post(string markdown, string path = "/")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Daemon.IngressPort}{path}")
        {
            Content = new StringContent(markdown),
        };
        request.Headers.Host = Daemon.Host("markdown");
        return request;
    }
}
