using System.Text;

namespace Kinlet.Cli.Functions;

/// <summary>
/// <c>kinlet init</c>'s files: a language's template (embedded under <c>templates/LANG/common</c> and
/// <c>templates/LANG/TEMPLATE</c>), with <c>{{name}}</c> replaced, plus a kinlet.yaml and a README.
/// </summary>
internal static class ProjectTemplates
{
    /// <summary>The files to write, path (relative, <c>/</c>-separated) → content, and whether each is executable.</summary>
    public static IReadOnlyList<GeneratedFile> Render(string name, string language, string template)
    {
        var files = new SortedDictionary<string, GeneratedFile>(StringComparer.Ordinal);
        foreach (var folder in new[] { "common", template })
        {
            var prefix = $"templates/{language}/{folder}/";
            foreach (var resource in EmbeddedAssets.List(prefix))
            {
                var path = resource[prefix.Length..] switch
                {
                    "function.csproj" => name + ".csproj",
                    "dockerignore" => ".dockerignore",
                    var p => p,
                };
                var text = EmbeddedAssets.ReadText(resource).Replace("{{name}}", name, StringComparison.Ordinal);
                files[path] = new GeneratedFile(path, Encoding.UTF8.GetBytes(text), path.EndsWith(".sh", StringComparison.Ordinal));
            }
        }
        files[FunctionConfig.FileName] = Text(FunctionConfig.FileName, KinletYaml(name, language, template));
        files["README.md"] = Text("README.md", Readme(name, language, template));
        return [.. files.Values];
    }

    private static GeneratedFile Text(string path, string text) => new(path, Encoding.UTF8.GetBytes(text), false);

    internal static string KinletYaml(string name, string language, string template)
    {
        var env = language == "shell" && template == "cloudevents"
            ? """
              env:
                - name: REPLY_TYPE          # the type of the events handler.sh replies with
                  value: com.example.reply
              """
            : """
              env: []
              """;
        return $"""
            # kinlet.yaml: how `kinlet deploy` builds and runs this function.
            name: {name}
            language: {language}  # dotnet | node | python | shell
            template: {template}
            # base: local  # local: kinlet.local images, no registry | official: the language's registry images
            {env}
              # A value from a secret (kinlet secret create db --from-literal password=...):
              # - name: DB_PASSWORD
              #   valueFrom:
              #     secretKeyRef: {"{"}name: db, key: password{"}"}
            scale:
              min: 0                  # 0: scale to zero when idle
              max: 10
              # target: 100           # requests in flight per instance the autoscaler aims for
            concurrency: 0            # hard limit of requests in flight per instance; 0: none
            # resources:
            #   limits: {"{"}memory: 256Mi, cpu: "1"{"}"}
            # annotations:
            #   autoscaling.knative.dev/window: 60s

            """;
    }

    private static string Readme(string name, string language, string template)
    {
        var handler = language switch
        {
            "dotnet" => "Handler.cs",
            "node" => "handler.js",
            "python" => "handler.py",
            _ => "handler.sh",
        };
        var call = template == "cloudevents"
            ? $"kinlet invoke {name} --cloudevent --type com.example.ping --data '{{\"hello\":\"world\"}}'"
            : $"curl http://{name}.localhost:8080/?name=Kinlet";
        var what = template == "cloudevents"
            ? "It receives CloudEvents (binary or structured mode) and answers each with a reply event; a broker takes replies back in. Point a trigger at it: `kinlet trigger create " + name + " --broker default --sink ksvc:" + name + "`."
            : "It answers HTTP requests.";
        return $"""
            # {name}

            A {language} function for Kinlet, made by `kinlet init {name} --language {language} --template {template}`.
            {what}

            Edit `{handler}`, then:

            ```sh
            kinlet deploy            # build here (no registry), roll out, wait until Ready, print the URL
            {call}
            kinlet logs {name} -f    # every instance's output
            ```

            `kinlet deploy` again with nothing changed says "up to date" and makes no new revision. Settings
            (environment, secrets, scale, concurrency, resources, annotations) live in `kinlet.yaml`; flags such as
            `--env K=V` or `--env-secret VAR=secret:key` add to them for one deploy. A `Dockerfile` in this folder
            replaces the generated one; `.dockerignore` keeps files out of the build.

            """;
    }
}
