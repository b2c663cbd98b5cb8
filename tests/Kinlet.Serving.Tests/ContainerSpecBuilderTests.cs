using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;

namespace Kinlet.Serving.Tests;

public sealed class ContainerSpecBuilderTests
{
    private static Revision Rev(Action<Container>? edit = null)
    {
        var c = new Container { Image = "kinlet.local/testfn:latest", Env = [new EnvVar { Name = "TARGET", Value = "x" }, new EnvVar { Name = "PORT", Value = "1" }] };
        edit?.Invoke(c);
        return new Revision
        {
            Metadata = new ObjectMeta
            {
                Name = "echo-00002", Namespace = "default",
                Labels = new() { [KnownKeys.ServiceLabel] = "echo", [KnownKeys.ConfigurationLabel] = "echo" },
            },
            Spec = new RevisionSpec { Containers = [c] },
        };
    }

    private static readonly ServingOptions Options = new() { DaemonId = "d1", DefaultMemoryLimit = "1Gi", PidsLimit = 512 };

    [Fact]
    public void Sets_Knative_env_after_the_users_and_never_lets_the_user_override_it()
    {
        var spec = ContainerSpecBuilder.Build(Rev(), "echo-00002-abcd", Options);
        Assert.Contains(new KeyValuePair<string, string>("TARGET", "x"), spec.Env);
        Assert.Contains(new KeyValuePair<string, string>("PORT", "8080"), spec.Env);
        Assert.DoesNotContain(new KeyValuePair<string, string>("PORT", "1"), spec.Env);
        Assert.Contains(new KeyValuePair<string, string>("K_SERVICE", "echo"), spec.Env);
        Assert.Contains(new KeyValuePair<string, string>("K_CONFIGURATION", "echo"), spec.Env);
        Assert.Contains(new KeyValuePair<string, string>("K_REVISION", "echo-00002"), spec.Env);
    }

    [Fact]
    public void Labels_name_service_revision_instance_and_daemon()
    {
        var spec = ContainerSpecBuilder.Build(Rev(), "echo-00002-abcd", Options);
        Assert.Equal("echo", spec.Labels[KnownKeys.ContainerService]);
        Assert.Equal("echo-00002", spec.Labels[KnownKeys.ContainerRevision]);
        Assert.Equal("echo-00002-abcd", spec.Labels[KnownKeys.ContainerInstance]);
        Assert.Equal("d1", spec.Labels[KnownKeys.ContainerDaemon]);
        Assert.Equal("kinlet-echo-00002-abcd", spec.Name);
    }

    [Fact]
    public void Limits_port_user_and_command_come_from_the_spec()
    {
        var spec = ContainerSpecBuilder.Build(Rev(c =>
        {
            c.Ports = [new ContainerPortSpec { ContainerPort = 9000 }];
            c.Resources = new ResourceRequirements { Limits = new() { ["memory"] = "350Mi", ["cpu"] = "500m" } };
            c.SecurityContext = new SecurityContext { RunAsUser = 1000 };
            c.Command = ["/bin/app"];
            c.Args = ["--flag"];
            c.WorkingDir = "/work";
        }), "i", Options);
        Assert.Equal(9000, spec.ContainerPort);
        Assert.Contains(new KeyValuePair<string, string>("PORT", "9000"), spec.Env);
        Assert.Equal(350L * 1024 * 1024, spec.MemoryBytes);
        Assert.Equal(500_000_000L, spec.NanoCpus);
        Assert.Equal("1000", spec.User);
        Assert.Equal(["/bin/app"], spec.Command!);
        Assert.Equal(["--flag"], spec.Args!);
        Assert.Equal("/work", spec.WorkingDir);
        Assert.Equal(512, spec.PidsLimit);
    }

    [Fact]
    public void Without_limits_the_daemon_default_memory_applies()
    {
        var spec = ContainerSpecBuilder.Build(Rev(), "i", Options);
        Assert.Equal(1024L * 1024 * 1024, spec.MemoryBytes);
        Assert.Null(spec.NanoCpus);
    }
}
