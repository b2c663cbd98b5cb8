using Kinlet.Daemon.Configuration;
using Microsoft.Extensions.Configuration;

namespace Kinlet.Daemon.Tests;

public sealed class DaemonConfigurationTests
{
    private static DaemonOptions Bind(string[] args, Dictionary<string, string?>? env = null)
    {
        var builder = new ConfigurationBuilder();
        builder.AddKinletSources(args, env ?? new Dictionary<string, string?>());
        return builder.Build().GetSection(DaemonOptions.Section).Get<DaemonOptions>() ?? new DaemonOptions();
    }

    [Fact]
    public void Defaults_match_the_design()
    {
        var o = Bind([]);
        Assert.Equal(7070, o.ApiPort);
        Assert.Equal("127.0.0.1", o.ApiAddress);
        Assert.Equal(8080, o.IngressPort);
        Assert.Equal(8081, o.IngressH2cPort);
        Assert.Equal("localhost", o.Domain);
        Assert.Null(o.DockerHost);
    }

    [Fact]
    public void Flags_set_every_documented_setting()
    {
        var o = Bind(["--state-dir", "/tmp/s", "--api-port", "9000", "--ingress-port", "9001", "--domain", "example.test",
            "--docker-host", "unix:///run/podman.sock", "--api-address", "0.0.0.0", "--ingress-h2c-port", "9002"]);
        Assert.Equal("/tmp/s", o.StateDir);
        Assert.Equal(9000, o.ApiPort);
        Assert.Equal(9001, o.IngressPort);
        Assert.Equal(9002, o.IngressH2cPort);
        Assert.Equal("example.test", o.Domain);
        Assert.Equal("unix:///run/podman.sock", o.DockerHost);
        Assert.Equal("0.0.0.0", o.ApiAddress);
    }

    [Fact]
    public void KINLET_variables_set_them_too_and_flags_win()
    {
        var env = new Dictionary<string, string?>
        {
            ["KINLET_STATE_DIR"] = "/var/x", ["KINLET_API_PORT"] = "7171", ["KINLET_DOMAIN"] = "env.test", ["KINLET_INGRESS_H2C_PORT"] = "0",
        };
        var o = Bind(["--domain", "flag.test"], env);
        Assert.Equal(0, o.IngressH2cPort);
        Assert.Equal("/var/x", o.StateDir);
        Assert.Equal(7171, o.ApiPort);
        Assert.Equal("flag.test", o.Domain);
    }

    [Fact]
    public void Any_deeper_key_can_be_set_as_a_flag()
    {
        var builder = new ConfigurationBuilder();
        builder.AddKinletSources(["--Kinlet:Serving:ResyncInterval", "00:00:01"], new Dictionary<string, string?>());
        Assert.Equal("00:00:01", builder.Build()["Kinlet:Serving:ResyncInterval"]);
    }
}
