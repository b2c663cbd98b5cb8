using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using static Kinlet.Core.Tests.TestManifests;

namespace Kinlet.Core.Tests.Serving;

public class RevisionTemplatesTests
{
    [Theory]
    [InlineData("hello", 1L, "hello-00001")]
    [InlineData("hello", 42L, "hello-00042")]
    [InlineData("hello", 99999L, "hello-99999")]
    [InlineData("hello", 100000L, "hello-100000")]
    [InlineData("a", 1234567L, "a-1234567")]
    public void Revision_names_are_the_configuration_and_a_five_digit_generation(string config, long generation, string name) =>
        Assert.Equal(name, RevisionTemplates.RevisionName(config, generation));

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void Generations_start_at_one(long generation) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RevisionTemplates.RevisionName("hello", generation));

    private static RevisionTemplate Template(string container = "{image: ghcr.io/acme/hello:1.0}", string spec = "", string templateMetadata = "{}") =>
        Parse(Service(container: container, spec: spec, templateMetadata: templateMetadata)).Spec.Template;

    public static TheoryData<string, string, string, string> SameTemplates => new()
    {
        // container, templateMetadata for a, then for b
        { "{image: a, env: [{name: X, value: '1'}, {name: Y, value: '2'}]}", "{annotations: {p: '1', q: '2'}}",
          "{env: [{value: '1', name: X}, {name: Y, value: '2'}], image: a}", "{annotations: {q: '2', p: '1'}}" },
        { "{image: a}", "{}", "{image: a, env: [], args: [], resources: {}}", "{labels: {}, annotations: {}}" },
        { "{image: a, readinessProbe: {httpGet: {port: 8080}}}", "{}", "{image: a, readinessProbe: {httpGet: {port: '8080'}}}", "{}" },
        { "{image: a, securityContext: {}}", "{}", "{image: a}", "{name: null}" },
    };

    [Theory, MemberData(nameof(SameTemplates))]
    public void Templates_that_mean_the_same_are_equal(string containerA, string metaA, string containerB, string metaB) =>
        Assert.True(RevisionTemplates.TemplateEquals(Template(containerA, templateMetadata: metaA), Template(containerB, templateMetadata: metaB)));

    public static TheoryData<string, string, string, string> DifferentTemplates => new()
    {
        { "{image: a}", "{}", "{image: b}", "{}" },
        { "{image: a, env: [{name: X, value: '1'}]}", "{}", "{image: a, env: [{name: X, value: '2'}]}", "{}" },
        { "{image: a, env: [{name: X, value: '1'}, {name: Y, value: '2'}]}", "{}", "{image: a, env: [{name: Y, value: '2'}, {name: X, value: '1'}]}", "{}" },
        { "{image: a}", "{annotations: {autoscaling.knative.dev/min-scale: '1'}}", "{image: a}", "{annotations: {autoscaling.knative.dev/min-scale: '2'}}" },
        { "{image: a}", "{}", "{image: a}", "{name: hello-v2}" },
        { "{image: a}", "{labels: {flag: ''}}", "{image: a}", "{}" },
        { "{image: a, args: ['']}", "{}", "{image: a}", "{}" },
    };

    [Theory, MemberData(nameof(DifferentTemplates))]
    public void A_change_that_matters_makes_templates_differ(string containerA, string metaA, string containerB, string metaB) =>
        Assert.False(RevisionTemplates.TemplateEquals(Template(containerA, templateMetadata: metaA), Template(containerB, templateMetadata: metaB)));

    [Fact]
    public void Canonical_json_sorts_keys_and_drops_empty_values()
    {
        var json = RevisionTemplates.CanonicalJson(Template("{image: a, env: [], ports: [{containerPort: 8080, name: h2c}]}", templateMetadata: "{annotations: {b: '2', a: '1'}}"));

        Assert.Equal("""{"metadata":{"annotations":{"a":"1","b":"2"}},"spec":{"containers":[{"image":"a","ports":[{"containerPort":8080,"name":"h2c"}]}]}}""", json);
        Assert.Equal("{}", RevisionTemplates.CanonicalJson(null));
    }

    [Fact]
    public void Spelling_out_a_default_is_no_change_when_compared_with_defaults()
    {
        var plain = Template();
        var spelled = Template(container: "{name: user-container, image: ghcr.io/acme/hello:1.0, ports: [{containerPort: 8080}]}",
            spec: "timeoutSeconds: 300, containerConcurrency: 0");

        Assert.False(RevisionTemplates.TemplateEquals(plain, spelled));
        Assert.True(RevisionTemplates.TemplateEquals(plain, spelled, ServingDefaults.Knative));
    }

    [Fact]
    public void Defaults_fill_in_timeout_concurrency_container_name_and_port()
    {
        var spec = Template().Spec;

        var d = RevisionTemplates.WithDefaults(spec);

        Assert.Equal(300, d.TimeoutSeconds);
        Assert.Equal(0, d.ContainerConcurrency);
        Assert.Equal("user-container", d.Containers[0].Name);
        Assert.Equal(8080, Assert.Single(d.Containers[0].Ports!).ContainerPort);
    }

    [Fact]
    public void Defaults_keep_what_the_user_set()
    {
        var spec = Template(container: "{name: app, image: a, ports: [{name: h2c, containerPort: 9000}]}", spec: "timeoutSeconds: 30, containerConcurrency: 1").Spec;

        var d = RevisionTemplates.WithDefaults(spec);

        Assert.Equal(30, d.TimeoutSeconds);
        Assert.Equal(1, d.ContainerConcurrency);
        Assert.Equal("app", d.Containers[0].Name);
        Assert.Equal(("h2c", 9000), (d.Containers[0].Ports![0].Name, d.Containers[0].Ports![0].ContainerPort));
    }

    [Fact]
    public void A_zero_timeout_means_the_default()
    {
        Assert.Equal(300, RevisionTemplates.WithDefaults(Template(spec: "timeoutSeconds: 0").Spec).TimeoutSeconds);
    }

    [Fact]
    public void A_port_without_a_number_gets_the_default_port()
    {
        var d = RevisionTemplates.WithDefaults(Template(container: "{image: a, ports: [{name: h2c}]}").Spec);

        Assert.Equal(("h2c", 8080), (d.Containers[0].Ports![0].Name, d.Containers[0].Ports![0].ContainerPort));
    }

    [Fact]
    public void Defaults_come_from_the_given_settings()
    {
        var settings = new ServingDefaults { TimeoutSeconds = 60, ContainerConcurrency = 5, ContainerName = "fn", ContainerPort = 3000 };

        var d = RevisionTemplates.WithDefaults(Template().Spec, settings);

        Assert.Equal((60L, 5L, "fn", 3000), (d.TimeoutSeconds!.Value, d.ContainerConcurrency!.Value, d.Containers[0].Name!, d.Containers[0].Ports![0].ContainerPort!.Value));
    }

    [Fact]
    public void Unnamed_containers_of_a_multi_container_spec_are_numbered()
    {
        var spec = new RevisionSpec { Containers = [new() { Image = "a" }, new() { Image = "b" }] };

        var d = RevisionTemplates.WithDefaults(spec);

        Assert.Equal(["user-container-0", "user-container-1"], d.Containers.Select(c => c.Name));
    }

    [Fact]
    public void Defaults_work_on_a_copy()
    {
        var template = Template();
        var before = KinletJson.Serialize(template);

        RevisionTemplates.WithDefaults(template.Spec);
        RevisionTemplates.WithDefaults(template);

        Assert.Equal(before, KinletJson.Serialize(template));
    }
}
