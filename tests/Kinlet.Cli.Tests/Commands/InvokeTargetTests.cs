using Kinlet.Cli.Commands.Invoke;

namespace Kinlet.Cli.Tests.Commands;

public class InvokeTargetTests
{
    [Theory]
    [InlineData("http://127.0.0.1:7070", "http://echo.localhost:8080", null, "http://127.0.0.1:8080/", "echo.localhost:8080")]
    [InlineData("http://127.0.0.1:7070", "http://echo.localhost:8080", "/hello?x=1", "http://127.0.0.1:8080/hello?x=1", "echo.localhost:8080")]
    [InlineData("http://127.0.0.1:7070", "http://echo.localhost:8080", "p", "http://127.0.0.1:8080/p", "echo.localhost:8080")]
    [InlineData("http://10.0.0.5:7070/", "http://canary-web.example.com", "/", "http://10.0.0.5/", "canary-web.example.com")]
    [InlineData("http://[::1]:7070", "http://echo.localhost:8080", "/", "http://[::1]:8080/", "echo.localhost:8080")]
    public void Sends_to_the_api_host_on_the_service_port_with_the_service_host(string api, string url, string? path, string expectedUri, string expectedHost)
    {
        var t = InvokeTarget.Resolve(new Uri(api), url, path);
        Assert.Equal(expectedUri, t.RequestUri.ToString());
        Assert.Equal(expectedHost, t.Host);
    }
}
