using System.Text;
using Kinlet.Cli.Functions;

namespace Kinlet.Cli.Tests.Functions;

public sealed class FunctionProjectTests
{
    [Theory]
    [InlineData("dotnet", "http", "Handler.cs")]
    [InlineData("dotnet", "cloudevents", "CloudEventHttp.cs")]
    [InlineData("node", "http", "handler.js")]
    [InlineData("node", "cloudevents", "handler.js")]
    [InlineData("python", "http", "handler.py")]
    [InlineData("python", "cloudevents", "handler.py")]
    [InlineData("shell", "http", "handler.sh")]
    [InlineData("shell", "cloudevents", "handler.sh")]
    public void Every_template_renders_a_handler_a_kinlet_yaml_that_reads_back_and_a_readme(string language, string template, string file)
    {
        var files = ProjectTemplates.Render("my-fn", language, template);
        var paths = files.Select(f => f.Path).ToList();
        Assert.Contains(file, paths);
        Assert.Contains("README.md", paths);
        var yaml = Encoding.UTF8.GetString(files.Single(f => f.Path == "kinlet.yaml").Content);
        var config = FunctionConfig.Parse(yaml, "kinlet.yaml");
        Assert.Equal("my-fn", config.Name);
        Assert.Equal(language, config.Language);
        Assert.Equal(template, config.Template);
        Assert.Equal(0, config.Scale?.Min);
        Assert.DoesNotContain(files, f => Encoding.UTF8.GetString(f.Content).Contains("{{name}}", StringComparison.Ordinal));
        if (language == "dotnet") Assert.Contains("my-fn.csproj", paths);
        if (language == "shell") Assert.True(files.Single(f => f.Path == "handler.sh").Executable);
    }

    [Fact]
    public void Kinlet_yaml_reads_every_service_field()
    {
        var config = FunctionConfig.Parse("""
            name: api
            language: node
            template: cloudevents
            base: official
            env:
              - name: A
                value: "1"
              - name: DB_PASSWORD
                valueFrom:
                  secretKeyRef: {name: db, key: password}
            scale: {min: 1, max: 3, initial: 2, target: 50}
            concurrency: 10
            resources:
              limits: {memory: 128Mi}
              requests: {cpu: 100m}
            annotations:
              autoscaling.knative.dev/window: 30s
            """, "kinlet.yaml");
        Assert.Equal("official", config.Base);
        Assert.Equal("db", config.Env![1].ValueFrom!.SecretKeyRef!.Name);
        Assert.Equal(50, config.Scale!.Target);
        Assert.Equal(10, config.Concurrency);
        Assert.Equal("128Mi", config.Resources!.Limits!["memory"]);
        Assert.Equal("30s", config.Annotations!["autoscaling.knative.dev/window"]);
    }

    [Fact]
    public void An_unknown_kinlet_yaml_key_is_an_error_naming_its_line()
    {
        var e = Assert.Throws<CliException>(() => FunctionConfig.Parse("name: a\nlanguage: node\nscal:\n  min: 1\n", "kinlet.yaml"));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.StartsWith("kinlet.yaml:3:", e.Message);
        Assert.Contains("scal", e.Message);
    }

    [Theory]
    [InlineData("node", "local", "FROM kinlet.local/node:18", ".kinlet/server.js")]
    [InlineData("node", "official", "FROM node:18-bookworm-slim", ".kinlet/server.js")]
    [InlineData("python", "local", "FROM kinlet.local/python:3.11", ".kinlet/server.py")]
    [InlineData("shell", "local", "FROM kinlet.local/busybox:latest", ".kinlet/www/cgi-bin/index.cgi")]
    public void Generated_dockerfiles_use_the_chosen_base_and_add_the_runtime(string language, string baseMode, string from, string runtime)
    {
        var files = FunctionLanguages.Generate(Path.GetTempPath(), language, "cloudevents", baseMode);
        var dockerfile = Encoding.UTF8.GetString(files[0].Content);
        Assert.Equal("Dockerfile", files[0].Path);
        Assert.Contains(from + "\n", dockerfile);
        Assert.Contains("FUNCTION_TEMPLATE=cloudevents", dockerfile);
        Assert.DoesNotContain(" \n", dockerfile);
        Assert.Contains(files, f => f.Path == runtime && f.Executable && f.Content.Length > 0);
    }

    [Fact]
    public void A_dotnet_folder_needs_exactly_one_project_whose_assembly_name_is_the_entrypoint()
    {
        var dir = Directory.CreateTempSubdirectory("kinlet-dotnet-").FullName;
        try
        {
            Assert.Throws<CliException>(() => FunctionLanguages.Generate(dir, "dotnet", "http", "local"));
            File.WriteAllText(Path.Combine(dir, "fn.csproj"), "<Project><PropertyGroup><AssemblyName>Custom.Name</AssemblyName></PropertyGroup></Project>");
            var dockerfile = Encoding.UTF8.GetString(FunctionLanguages.Generate(dir, "dotnet", "http", "local")[0].Content);
            Assert.Contains("""ENTRYPOINT ["dotnet", "Custom.Name.dll"]""", dockerfile);
            Assert.Contains("FROM kinlet.local/dotnet-sdk:10.0 AS build", dockerfile);
            File.WriteAllText(Path.Combine(dir, "other.csproj"), "<Project />");
            Assert.Throws<CliException>(() => FunctionLanguages.Generate(dir, "dotnet", "http", "local"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
