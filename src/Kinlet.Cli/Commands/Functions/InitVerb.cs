using System.CommandLine;
using Kinlet.Cli.Functions;
using Kinlet.Core.Validation;

namespace Kinlet.Cli.Commands.Functions;

/// <summary><c>kinlet init NAME --language dotnet|node|python|shell [--template http|cloudevents]</c>: a runnable function folder.</summary>
internal sealed class InitVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the function (and of its service)" };

    private readonly Option<string> language = new("--language", "-l")
    {
        Description = "dotnet, node, python or shell",
        Required = true,
        HelpName = "LANGUAGE",
    };

    private readonly Option<string> template = new("--template", "-t")
    {
        Description = "http (answers requests) or cloudevents (receives events, may reply with one)",
        DefaultValueFactory = _ => "http",
        HelpName = "TEMPLATE",
    };

    private readonly Option<string?> path = new("--path")
    {
        Description = "Folder to create (default: ./NAME); must not exist or be empty",
        HelpName = "DIR",
    };

    protected override Command Create()
    {
        language.AcceptOnlyFromAmong(FunctionLanguages.Names);
        template.AcceptOnlyFromAmong(FunctionLanguages.Templates);
        return new Command("init", "Write a new function project: handler, kinlet.yaml, README") { name, language, template, path };
    }

    protected override Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var functionName = r.GetValue(name)!;
        if (Names.ValidateDns1035Label(functionName) is { } problem)
            throw CliException.Usage($"NAME: '{functionName}' {problem}");
        var lang = r.GetValue(language)!;
        var tmpl = r.GetValue(template)!;
        var dir = Path.GetFullPath(r.GetValue(path) ?? functionName);
        if (File.Exists(dir) || (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()))
            throw CliException.Usage($"{dir} exists and is not empty; choose another NAME or --path");

        var files = ProjectTemplates.Render(functionName, lang, tmpl);
        foreach (var file in files)
        {
            var target = Path.Combine(dir, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, file.Content);
            if (file.Executable && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, File.GetUnixFileMode(target) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var output = Context.Output(r, null);
        output.Line($"Created {lang} function '{functionName}' ({tmpl}) in {dir}:");
        foreach (var file in files) output.Line("  " + file.Path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), dir);
        output.Line($"Next: cd {relative} && kinlet deploy");
        return Task.FromResult(ExitCodes.Success);
    }
}
