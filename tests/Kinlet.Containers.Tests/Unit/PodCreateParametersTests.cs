using Kinlet.Containers.Docker;

namespace Kinlet.Containers.Tests.Unit;

/// <summary>The engine parameters of a pod's containers: a shared network namespace, extra published ports, security options.</summary>
public sealed class PodCreateParametersTests
{
    [Fact]
    public void A_container_in_another_containers_network_publishes_nothing_and_maps_no_hosts()
    {
        var spec = new ContainerSpec
        {
            Name = "s", Image = "busybox", Labels = new Dictionary<string, string>(), Env = [], ContainerPort = 0, NetworkOf = "abc",
        };
        var p = DockerContainers.CreateParameters(spec);
        Assert.Equal("container:abc", p.HostConfig.NetworkMode);
        Assert.Null(p.HostConfig.PortBindings);
        Assert.Null(p.HostConfig.ExtraHosts);
        Assert.Null(p.ExposedPorts);
    }

    [Fact]
    public void The_serving_container_publishes_its_port_and_the_sidecars_probe_ports_on_loopback()
    {
        var spec = new ContainerSpec
        {
            Name = "s", Image = "app", Labels = new Dictionary<string, string>(), Env = [], ContainerPort = 8080, ExtraPorts = [9000],
        };
        var p = DockerContainers.CreateParameters(spec);
        Assert.Equal(["8080/tcp", "9000/tcp"], p.HostConfig.PortBindings.Keys.Order());
        Assert.All(p.HostConfig.PortBindings.Values, b => Assert.Equal("127.0.0.1", b.Single().HostIP));
    }

    [Fact]
    public void Security_options_map_one_to_one()
    {
        var spec = new ContainerSpec
        {
            Name = "s", Image = "app", Labels = new Dictionary<string, string>(), Env = [], ContainerPort = 8080,
            NoNewPrivileges = false, CapAdd = ["NET_BIND_SERVICE"], CapDrop = ["ALL"], GroupAdd = ["5"],
        };
        var p = DockerContainers.CreateParameters(spec);
        Assert.Equal(["NET_BIND_SERVICE"], p.HostConfig.CapAdd);
        Assert.Equal(["ALL"], p.HostConfig.CapDrop);
        Assert.Equal(["5"], p.HostConfig.GroupAdd);
        Assert.Null(p.HostConfig.SecurityOpt);
        Assert.Equal(["no-new-privileges"], DockerContainers.CreateParameters(spec with { NoNewPrivileges = true }).HostConfig.SecurityOpt);
    }

    [Fact]
    public void Pull_credentials_become_the_engines_auth_config()
    {
        var auth = DockerImages.AuthOf(new RegistryCredentials("registry.example:5000", "u", "p", null))!;
        Assert.Equal("registry.example:5000", auth.ServerAddress);
        Assert.Equal("u", auth.Username);
        Assert.Equal("p", auth.Password);
        Assert.Null(DockerImages.AuthOf(null));
        Assert.DoesNotContain("p", new RegistryCredentials("r", "u", "secret-value", null).ToString(), StringComparison.Ordinal);
    }
}
