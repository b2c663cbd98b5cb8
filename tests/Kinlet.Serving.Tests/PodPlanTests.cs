using Kinlet.Containers;
using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;

namespace Kinlet.Serving.Tests;

/// <summary>How a revision of several containers becomes its engine containers, and how securityContext maps.</summary>
public sealed class PodPlanTests
{
    private static readonly ServingOptions Options = new() { DaemonId = "d1", DefaultMemoryLimit = "1Gi", PidsLimit = 512 };

    private static Revision Rev(Action<RevisionSpec> edit)
    {
        var spec = new RevisionSpec { Containers = [new Container { Name = "app", Image = "app:1" }] };
        edit(spec);
        return new Revision
        {
            Metadata = new ObjectMeta { Name = "web-00001", Namespace = "default", Labels = new() { [KnownKeys.ServiceLabel] = "web" } },
            Spec = spec,
        };
    }

    [Fact]
    public void A_sidecar_gets_its_own_name_labels_and_no_port_and_its_probe_port_is_published_by_the_serving_container()
    {
        var pod = ContainerSpecBuilder.BuildPod(Rev(s => s.Containers =
        [
            new Container
            {
                Name = "cache", Image = "busybox", Env = [new EnvVar { Name = "MODE", Value = "x" }],
                ReadinessProbe = new Probe { TcpSocket = new TcpSocketAction { Port = IntOrString.FromInt(9000) } },
            },
            new Container { Name = "app", Image = "app:1", Ports = [new ContainerPortSpec { ContainerPort = 8081 }] },
        ]), "web-00001-ab", Options);

        Assert.Equal("app", pod.Serving.Name);
        Assert.Equal("kinlet-web-00001-ab", pod.Serving.Spec.Name);
        Assert.Equal(8081, pod.Serving.Spec.ContainerPort);
        Assert.Equal([9000], pod.Serving.Spec.ExtraPorts);
        var sidecar = Assert.Single(pod.Sidecars);
        Assert.Equal("kinlet-web-00001-ab-cache", sidecar.Spec.Name);
        Assert.Equal(0, sidecar.Spec.ContainerPort);
        Assert.Equal(KnownKeys.RoleSidecar, sidecar.Spec.Labels[KnownKeys.ContainerRole]);
        Assert.Equal("cache", sidecar.Spec.Labels[KnownKeys.ContainerName]);
        Assert.Contains(new KeyValuePair<string, string>("MODE", "x"), sidecar.Spec.Env);
        Assert.Contains(new KeyValuePair<string, string>("K_REVISION", "web-00001"), sidecar.Spec.Env);
        Assert.DoesNotContain(sidecar.Spec.Env, e => e.Key == "PORT");
        Assert.Empty(pod.Inits);
    }

    [Fact]
    public void Init_containers_come_in_order_with_their_role()
    {
        var pod = ContainerSpecBuilder.BuildPod(Rev(s => s.InitContainers =
            [new Container { Name = "one", Image = "busybox" }, new Container { Name = "two", Image = "busybox" }]), "i", Options);
        Assert.Equal(["one", "two"], pod.Inits.Select(i => i.Name));
        Assert.All(pod.Inits, i => Assert.Equal(KnownKeys.RoleInit, i.Spec.Labels[KnownKeys.ContainerRole]));
        Assert.Equal("kinlet-i-two", pod.Inits[1].Spec.Name);
    }

    [Fact]
    public void Security_context_maps_onto_the_engine_and_the_container_wins_over_the_pod()
    {
        var spec = ContainerSpecBuilder.Build(Rev(s =>
        {
            s.SecurityContext = new PodSecurityContext { RunAsUser = 1000, RunAsGroup = 1000, SupplementalGroups = [5, 6], FsGroup = 2000 };
            s.Containers[0].SecurityContext = new SecurityContext
            {
                RunAsUser = 1001,
                ReadOnlyRootFilesystem = true,
                AllowPrivilegeEscalation = true,
                Capabilities = new Capabilities { Add = ["NET_BIND_SERVICE"], Drop = ["ALL"] },
            };
        }), "i", Options);
        Assert.Equal("1001:1000", spec.User);
        Assert.True(spec.ReadOnlyRootFilesystem);
        Assert.False(spec.NoNewPrivileges);
        Assert.Equal(["NET_BIND_SERVICE"], spec.CapAdd);
        Assert.Equal(["ALL"], spec.CapDrop);
        Assert.Equal(["5", "6", "2000"], spec.GroupAdd);
    }

    [Fact]
    public void No_new_privileges_stays_on_by_default()
    {
        var spec = ContainerSpecBuilder.Build(Rev(_ => { }), "i", Options);
        Assert.True(spec.NoNewPrivileges);
    }

    [Fact]
    public void Run_as_non_root_is_checked_against_the_image_user_only_without_a_run_as_user()
    {
        var pod = ContainerSpecBuilder.BuildPod(Rev(s => s.SecurityContext = new PodSecurityContext { RunAsNonRoot = true }), "i", Options);
        Assert.True(pod.Serving.RunAsNonRoot);
        var withUser = ContainerSpecBuilder.BuildPod(Rev(s => s.SecurityContext = new PodSecurityContext { RunAsNonRoot = true, RunAsUser = 10 }), "i", Options);
        Assert.False(withUser.Serving.RunAsNonRoot);
        Assert.Throws<ContainerConfigException>(() => ContainerSpecBuilder.BuildPod(Rev(s =>
        {
            s.SecurityContext = new PodSecurityContext { RunAsNonRoot = true };
            s.Containers[0].SecurityContext = new SecurityContext { RunAsUser = 0 };
        }), "i", Options));
    }

    [Theory]
    [InlineData(null, "will run as root")]
    [InlineData("", "will run as root")]
    [InlineData("root", "will run as root")]
    [InlineData("0:0", "will run as root")]
    [InlineData("nobody", "non-numeric user (nobody)")]
    [InlineData("65534", null)]
    [InlineData("1000:1000", null)]
    public void Non_root_check_follows_Kubernetes(string? imageUser, string? violation)
    {
        var message = ContainerSpecBuilder.NonRootViolation("app", imageUser);
        if (violation is null) Assert.Null(message);
        else Assert.Contains(violation, message, StringComparison.Ordinal);
    }
}
