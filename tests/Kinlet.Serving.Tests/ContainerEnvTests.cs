using System.Text;
using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;

namespace Kinlet.Serving.Tests;

public sealed class ContainerEnvTests
{
    private sealed class Lookup : IConfigLookup
    {
        public Dictionary<string, Dictionary<string, byte[]>> Secrets { get; } = [];
        public Dictionary<string, ConfigMap> Maps { get; } = [];

        public IReadOnlyDictionary<string, byte[]>? Secret(string @namespace, string name) => Secrets.GetValueOrDefault(@namespace + "/" + name);

        public ConfigMap? ConfigMap(string @namespace, string name) => Maps.GetValueOrDefault(@namespace + "/" + name);
    }

    private static Lookup Config()
    {
        var l = new Lookup();
        l.Maps["default/app"] = new ConfigMap
        {
            Data = new() { ["LOG_LEVEL"] = "debug", ["SHARED"] = "from-map", ["config.yaml"] = "a: 1", ["1BAD"] = "x", ["PORT"] = "1" },
            BinaryData = new() { ["BLOB"] = "AAEC" },
        };
        l.Secrets["default/db"] = new() { ["PASSWORD"] = Encoding.UTF8.GetBytes("pw"), ["SHARED"] = Encoding.UTF8.GetBytes("from-secret") };
        return l;
    }

    private static EnvFromSource FromMap(string name, string? prefix = null, bool? optional = null) =>
        new() { Prefix = prefix, ConfigMapRef = new NameReference { Name = name, Optional = optional } };

    private static EnvFromSource FromSecret(string name, string? prefix = null, bool? optional = null) =>
        new() { Prefix = prefix, SecretRef = new NameReference { Name = name, Optional = optional } };

    private static Dictionary<string, string> Resolve(Container c, IConfigLookup? config = null) =>
        ContainerEnv.Resolve(c, "default", config ?? Config()).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void EnvFrom_takes_every_valid_data_key_skipping_invalid_names_binary_data_and_Knatives_own()
    {
        var env = Resolve(new Container { EnvFrom = [FromMap("app")] });

        Assert.Equal(new Dictionary<string, string> { ["LOG_LEVEL"] = "debug", ["SHARED"] = "from-map", ["config.yaml"] = "a: 1" }, env);
    }

    [Fact]
    public void A_later_source_wins_over_an_earlier_one_and_env_wins_over_both()
    {
        var env = Resolve(new Container
        {
            EnvFrom = [FromMap("app"), FromSecret("db")],
            Env = [new EnvVar { Name = "LOG_LEVEL", Value = "explicit" }],
        });

        Assert.Equal("from-secret", env["SHARED"]);
        Assert.Equal("pw", env["PASSWORD"]);
        Assert.Equal("explicit", env["LOG_LEVEL"]);
    }

    [Fact]
    public void A_prefix_is_put_before_each_key_and_the_name_is_checked_with_it()
    {
        var env = Resolve(new Container { EnvFrom = [FromMap("app", prefix: "APP_")] });

        Assert.Equal("debug", env["APP_LOG_LEVEL"]);
        Assert.Equal("x", env["APP_1BAD"]); // valid once prefixed
        Assert.Equal("1", env["APP_PORT"]);
        Assert.False(env.ContainsKey("LOG_LEVEL"));
    }

    [Fact]
    public void ConfigMapKeyRef_and_secretKeyRef_read_one_key()
    {
        var env = Resolve(new Container
        {
            Env =
            [
                new EnvVar { Name = "LEVEL", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new KeySelector { Name = "app", Key = "LOG_LEVEL" } } },
                new EnvVar { Name = "PW", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "db", Key = "PASSWORD" } } },
                new EnvVar { Name = "EMPTY" },
            ],
        });

        Assert.Equal(new Dictionary<string, string> { ["LEVEL"] = "debug", ["PW"] = "pw", ["EMPTY"] = "" }, env);
    }

    [Fact]
    public void Optional_references_to_what_is_missing_are_left_out()
    {
        var env = Resolve(new Container
        {
            EnvFrom = [FromMap("nope", optional: true), FromSecret("nope", optional: true)],
            Env =
            [
                new EnvVar { Name = "A", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new KeySelector { Name = "nope", Key = "k", Optional = true } } },
                new EnvVar { Name = "B", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new KeySelector { Name = "app", Key = "nokey", Optional = true } } },
            ],
        });

        Assert.Empty(env);
    }

    [Theory]
    [InlineData("map", "envFrom[0]: configmap \"nope\" not found in namespace \"default\"")]
    [InlineData("secret", "envFrom[0]: secret \"nope\" not found in namespace \"default\"")]
    [InlineData("mapkey", "env A: configmap \"app\" has no key \"nokey\" in namespace \"default\"")]
    [InlineData("nomap", "env A: configmap \"nope\" not found in namespace \"default\"")]
    public void A_missing_reference_that_is_not_optional_fails_naming_it_without_any_value(string what, string message)
    {
        var c = what switch
        {
            "map" => new Container { EnvFrom = [FromMap("nope")] },
            "secret" => new Container { EnvFrom = [FromSecret("nope")] },
            "mapkey" => new Container { Env = [new EnvVar { Name = "A", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new KeySelector { Name = "app", Key = "nokey" } } }] },
            _ => new Container { Env = [new EnvVar { Name = "A", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new KeySelector { Name = "nope", Key = "k" } } }] },
        };

        var e = Assert.Throws<ConfigReferenceException>(() => ContainerEnv.Resolve(c, "default", Config()));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void The_builder_puts_Knatives_variables_after_the_resolved_ones()
    {
        var revision = new Revision
        {
            Metadata = new ObjectMeta { Name = "web-00001", Namespace = "default", Labels = new() { [KnownKeys.ServiceLabel] = "web" } },
            Spec = new RevisionSpec { Containers = [new Container { Image = "i", EnvFrom = [FromMap("app")] }] },
        };

        var spec = ContainerSpecBuilder.Build(revision, "web-00001-abcd", new ServingOptions { DaemonId = "d" }, Config());

        Assert.Equal(["LOG_LEVEL", "SHARED", "config.yaml", "PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"], spec.Env.Select(e => e.Key));
        Assert.Equal("8080", spec.Env.Single(e => e.Key == "PORT").Value);
    }
}
