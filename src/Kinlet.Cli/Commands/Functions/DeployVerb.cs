using System.CommandLine;
using System.Globalization;
using Kinlet.Cli.Api;
using Kinlet.Cli.Commands.Apply;
using Kinlet.Cli.Commands.Services;
using Kinlet.Cli.Editing;
using Kinlet.Cli.Functions;
using Kinlet.Core.Validation;

namespace Kinlet.Cli.Commands.Functions;

/// <summary>
/// <c>kinlet deploy [DIR]</c>: build the folder into <c>kinlet.local/NAME:CONTENT-HASH</c> on the daemon's engine (no
/// registry), then create or update the service from kinlet.yaml and wait for Ready. The same content gives the same
/// tag, so an unchanged folder is neither rebuilt nor rolled out again.
/// </summary>
internal sealed class DeployVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string?> directory = new("DIR")
    {
        Description = "The function's folder (default: the current one)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> image = new("--image") { Description = "Deploy this image instead of building the folder", HelpName = "IMAGE" };
    private readonly Option<bool> buildOnly = new("--build-only") { Description = "Build the image and stop (no deploy)" };

    private readonly Option<string?> baseMode = new("--base")
    {
        Description = "Base images: local (kinlet.local, built by scripts/images.sh; the default) or official (the languages' registry images)",
        HelpName = "local|official",
    };

    private readonly Option<string[]> env = TemplateOptions.Many("--env", "-e", "Environment variable KEY=VALUE for this deploy, on top of kinlet.yaml's", "KEY=VALUE");
    private readonly Option<string[]> envSecret = TemplateOptions.Many("--env-secret", null, "Environment variable from a secret for this deploy, VAR=SECRET:KEY", "VAR=SECRET:KEY");
    private readonly WaitOptions wait = new();
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the deployed service");

    protected override Command Create()
    {
        baseMode.AcceptOnlyFromAmong(FunctionLanguages.Bases);
        var command = new Command("deploy", "Build a function folder locally and deploy it (create or update its service, wait for Ready)")
        {
            directory, image, buildOnly, baseMode, env, envSecret, output,
        };
        wait.AddTo(command);
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var dir = Path.GetFullPath(r.GetValue(directory) ?? Directory.GetCurrentDirectory());
        if (!Directory.Exists(dir)) throw CliException.Usage($"DIR: {dir} is not a folder");
        var config = FunctionConfig.Load(dir)
            ?? throw CliException.Usage($"{Path.Combine(dir, FunctionConfig.FileName)} not found; `kinlet init NAME --language dotnet|node|python|shell` writes a function folder with one");
        var settings = Check(config, dir);
        var ns = r.GetValue(Context.Globals.Namespace) is { Length: > 0 } given ? given : config.Namespace ?? Core.Model.KnativeApi.DefaultNamespace;
        var timeout = wait.GetTimeout(r);
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);
        var stderr = Context.Host.Stderr;

        var imageName = r.GetValue(image);
        if (imageName is null)
        {
            imageName = await BuildAsync(api, dir, settings, r.GetValue(baseMode) ?? config.Base ?? "local", stderr, ct).ConfigureAwait(false);
        }
        if (r.GetValue(buildOnly))
        {
            output.Line(imageName);
            return ExitCodes.Success;
        }

        var edits = Edits(config, imageName, r.GetValue(env) ?? [], r.GetValue(envSecret) ?? []);
        var desired = TemplateEditor.NewService(settings.Name, ns, edits);
        var (applied, action, existing) = await ServiceApplier.ApplyAsync(api, ns, settings.Name, desired, desired, ct).ConfigureAwait(false);
        // kn's words for a rollout: "created", "updated".
        var verb = action == ServiceApplier.Configured ? "updated" : action;

        if (!wait.ShouldWait(r))
        {
            output.Line($"Service '{settings.Name}' {verb} in namespace '{ns}'.");
            output.Resource(applied);
            return ExitCodes.Success;
        }
        var ready = await Context.Waiter(api).WaitForReadyAsync(ns, settings.Name, applied.Metadata.Generation, timeout, ct).ConfigureAwait(false);
        output.Line(action == ServiceApplier.Unchanged
            ? $"Service '{settings.Name}' is up to date (revision '{ready.Status?.LatestReadyRevisionName}') at URL:\n{ready.Status?.Url}"
            : RolloutMessages.Done(ready, verb, existing?.Status?.LatestReadyRevisionName));
        output.Resource(ready);
        return ExitCodes.Success;
    }

    private sealed record Settings(string Name, string? Language, string Template, bool OwnDockerfile);

    private static Settings Check(FunctionConfig config, string dir)
    {
        var file = FunctionConfig.FileName;
        if (string.IsNullOrEmpty(config.Name)) throw CliException.Usage($"{file}: name is required");
        if (Names.ValidateDns1035Label(config.Name) is { } problem) throw CliException.Usage($"{file}: name: '{config.Name}' {problem}");
        var ownDockerfile = File.Exists(Path.Combine(dir, "Dockerfile"));
        if (config.Language is { } lang && !FunctionLanguages.Names.Contains(lang))
            throw CliException.Usage($"{file}: language: '{lang}' is not one of {string.Join(", ", FunctionLanguages.Names)}");
        if (config.Language is null && !ownDockerfile)
            throw CliException.Usage($"{file}: language is required (dotnet, node, python or shell) unless the folder has its own Dockerfile");
        var template = config.Template ?? "http";
        if (!FunctionLanguages.Templates.Contains(template))
            throw CliException.Usage($"{file}: template: '{template}' is not one of {string.Join(", ", FunctionLanguages.Templates)}");
        if (config.Base is { } b && !FunctionLanguages.Bases.Contains(b))
            throw CliException.Usage($"{file}: base: '{b}' is not one of {string.Join(", ", FunctionLanguages.Bases)}");
        return new Settings(config.Name, config.Language, template, ownDockerfile);
    }

    /// <summary>Builds unless the engine already has the content's tag; answers the image reference.</summary>
    private async Task<string> BuildAsync(ApiClient api, string dir, Settings settings, string baseMode, TextWriter stderr, CancellationToken ct)
    {
        var generated = settings.OwnDockerfile ? [] : FunctionLanguages.Generate(dir, settings.Language!, settings.Template, baseMode);
        var context = BuildContext.Collect(dir, FunctionLanguages.BuiltInIgnores(settings.Language), generated);
        var imageName = $"kinlet.local/{settings.Name}:{context.Tag}";
        if (await api.FindImageAsync(imageName, ct).ConfigureAwait(false) is not null)
        {
            stderr.WriteLine($"Image {imageName} is up to date");
            return imageName;
        }

        if (!settings.OwnDockerfile && baseMode == "local")
        {
            foreach (var b in FunctionLanguages.BaseImages(settings.Language!, baseMode))
                if (await api.FindImageAsync(b, ct).ConfigureAwait(false) is null)
                    throw new CliException($"the base image {b} is not on kinletd's engine; build it with scripts/images.sh from the Kinlet checkout (install.sh does), or deploy with --base official where a registry is reachable");
        }

        var what = settings.OwnDockerfile ? "its own Dockerfile" : $"{settings.Language}, {settings.Template}";
        stderr.WriteLine($"Building {imageName} ({what}; {context.Files.Count} files, {Size(context.TotalBytes)})");
        var started = Context.Host.Time.GetTimestamp();
        var tarPath = Path.GetTempFileName();
        BuildResult result;
        await using (var tar = new FileStream(tarPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose))
        {
            context.WriteTar(tar);
            tar.Position = 0;
            result = await api.BuildAsync(tar, imageName, null, line => stderr.WriteLine("  " + line), ct).ConfigureAwait(false);
        }
        if (!result.Succeeded)
        {
            var at = result.Step is { } step ? $" at {step}" : "";
            throw new CliException($"the build of {imageName} failed{at}: {result.Error}; the running revision (if any) is untouched",
                ExitCodes.BuildFailed, result.Output);
        }
        var seconds = Context.Host.Time.GetElapsedTime(started).TotalSeconds;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Built {imageName} in {seconds:0.0} s"));
        return imageName;
    }

    private static TemplateEdits Edits(FunctionConfig config, string imageName, IReadOnlyList<string> extraEnv, IReadOnlyList<string> extraSecrets)
    {
        var file = FunctionConfig.FileName;
        var envs = new List<string>();
        var secrets = new List<string>();
        for (var i = 0; i < (config.Env?.Count ?? 0); i++)
        {
            var e = config.Env![i];
            if (string.IsNullOrEmpty(e.Name)) throw CliException.Usage($"{file}: env[{i}].name is required");
            var secretRef = e.ValueFrom?.SecretKeyRef;
            if (secretRef is not null && e.Value is not null)
                throw CliException.Usage($"{file}: env[{i}] ({e.Name}) has both value and valueFrom; keep one");
            if (secretRef is not null)
            {
                if (string.IsNullOrEmpty(secretRef.Name) || string.IsNullOrEmpty(secretRef.Key))
                    throw CliException.Usage($"{file}: env[{i}].valueFrom.secretKeyRef needs name and key");
                secrets.Add($"{e.Name}={secretRef.Name}:{secretRef.Key}");
            }
            else
            {
                envs.Add($"{e.Name}={e.Value ?? ""}");
            }
        }
        envs.AddRange(extraEnv);
        secrets.AddRange(extraSecrets);
        return new TemplateEdits
        {
            Image = imageName,
            Env = envs,
            EnvSecrets = secrets,
            ScaleMin = config.Scale?.Min,
            ScaleMax = config.Scale?.Max,
            ScaleInit = config.Scale?.Initial,
            ConcurrencyTarget = config.Scale?.Target,
            ConcurrencyLimit = config.Concurrency,
            Limits = Pairs(config.Resources?.Limits),
            Requests = Pairs(config.Resources?.Requests),
            Annotations = Pairs(config.Annotations),
        };
    }

    private static List<string> Pairs(Dictionary<string, string>? map) =>
        map is null ? [] : [.. map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")];

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MiB"),
    };
}
