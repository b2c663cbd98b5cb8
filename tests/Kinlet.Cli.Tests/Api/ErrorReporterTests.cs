using System.Net;
using Kinlet.Cli.Api;

namespace Kinlet.Cli.Tests.Api;

public class ErrorReporterTests
{
    [Fact]
    public void Connection_refused_says_where_it_looked_and_how_to_start_the_daemon()
    {
        var r = ErrorReporter.Describe(new DaemonUnreachableException("http://127.0.0.1:7070"), tokenPath: null);
        Assert.Equal(ExitCodes.Unreachable, r.ExitCode);
        Assert.Equal("Error: kinletd is not answering at http://127.0.0.1:7070. Start it with 'kinletd' (or ./install.sh), or point KINLET_API at it.", r.Line);
        Assert.Empty(r.Details);
    }

    [Fact]
    public void Unauthorized_names_the_token_file()
    {
        var r = ErrorReporter.Describe(new ApiException(HttpStatusCode.Unauthorized, "bad token"), "/home/me/.local/share/kinlet/token");
        Assert.Equal(ExitCodes.Unauthorized, r.ExitCode);
        Assert.Equal("Error: kinletd refused the token (401). It is in /home/me/.local/share/kinlet/token (readable by its owner only); run as that user or set KINLET_TOKEN.", r.Line);
    }

    [Fact]
    public void Not_found_prints_the_daemon_message()
    {
        var r = ErrorReporter.Describe(ApiClient.ToApiException(HttpStatusCode.NotFound, """{"error":"service \"echo\" not found"}""", "fallback"), null);
        Assert.Equal(ExitCodes.NotFound, r.ExitCode);
        Assert.Equal("Error: service \"echo\" not found", r.Line);
    }

    [Fact]
    public void Not_found_without_a_body_uses_the_clients_own_words()
    {
        var r = ErrorReporter.Describe(ApiClient.ToApiException(HttpStatusCode.NotFound, "", "service 'echo' not found in namespace 'default'"), null);
        Assert.Equal("Error: service 'echo' not found in namespace 'default'", r.Line);
    }

    [Fact]
    public void Bad_request_with_a_field_prints_the_field_then_the_error()
    {
        var e = ApiClient.ToApiException(HttpStatusCode.BadRequest,
            """{"error":"must not be empty","field":"spec.template.spec.containers[0].image"}""", null);
        var r = ErrorReporter.Describe(e, null);
        Assert.Equal(ExitCodes.Failure, r.ExitCode);
        Assert.Equal("Error: spec.template.spec.containers[0].image: must not be empty", r.Line);
    }

    [Fact]
    public void Conflict_maps_to_its_own_exit_code()
    {
        var r = ErrorReporter.Describe(ApiClient.ToApiException(HttpStatusCode.Conflict, """{"error":"revision gets traffic"}""", null), null);
        Assert.Equal(ExitCodes.Conflict, r.ExitCode);
    }

    [Fact]
    public void A_server_error_that_is_not_json_still_gives_one_line()
    {
        var r = ErrorReporter.Describe(ApiClient.ToApiException(HttpStatusCode.InternalServerError, "boom\nstack trace\n", null), null);
        Assert.Equal("Error: boom", r.Line);
        Assert.Empty(r.Details);
    }

    [Fact]
    public void An_empty_server_error_names_the_status()
    {
        var r = ErrorReporter.Describe(ApiClient.ToApiException(HttpStatusCode.BadGateway, "", null), null);
        Assert.Equal("Error: kinletd answered 502 BadGateway", r.Line);
    }

    [Fact]
    public void Context_of_an_apply_prefixes_the_line()
    {
        var e = new ApiException(HttpStatusCode.BadRequest, "must be a number", "spec.template.spec.containerConcurrency").WithContext("svc.yaml:1: Service hello");
        Assert.Equal("Error: svc.yaml:1: Service hello: spec.template.spec.containerConcurrency: must be a number", ErrorReporter.Describe(e, null).Line);
    }

    [Fact]
    public void A_multi_line_message_keeps_its_first_line_as_the_error_and_indents_the_rest()
    {
        var r = ErrorReporter.Describe(new CliException("service echo is not ready: ExitCode3: container exited\nlast log line 1\nlast log line 2", ExitCodes.NotReady), null);
        Assert.Equal(ExitCodes.NotReady, r.ExitCode);
        Assert.Equal("Error: service echo is not ready: ExitCode3: container exited", r.Line);
        Assert.Equal(["  last log line 1", "  last log line 2"], r.Details);
    }

    [Fact]
    public void Cancellation_exits_like_sigint()
    {
        Assert.Equal(ExitCodes.Canceled, ErrorReporter.Describe(new OperationCanceledException(), null).ExitCode);
    }
}

public class WarningHeaderTests
{
    [Theory]
    [InlineData("""299 - "spec.foo: not supported by Kinlet, ignored" """, "spec.foo: not supported by Kinlet, ignored")]
    [InlineData("""299 - "a \"quoted\" word" """, "a \"quoted\" word")]
    [InlineData("""299 kinletd "with an agent" "Sat, 01 Jan 2000 00:00:00 GMT" """, "with an agent")]
    [InlineData("not in the format", "not in the format")]
    public void Reads_the_text_of_a_warning(string header, string expected)
    {
        Assert.Equal([expected], WarningHeader.Parse(header));
    }

    [Fact]
    public void Reads_every_warning_of_a_folded_header()
    {
        Assert.Equal(["one", "two"], WarningHeader.Parse("""299 - "one", 299 - "two" """));
    }
}
