using System.CommandLine;
using System.Globalization;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.ConfigMaps;

/// <summary>The <c>--from-literal</c> and <c>--from-file</c> options of create and update.</summary>
internal sealed class ConfigMapSourceOptions
{
    private readonly Option<string[]> literal = new("--from-literal") { Description = "A key and its value, KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> file = new("--from-file")
    {
        Description = "[KEY=]PATH: a file (key = its name unless given) or a directory (each file in it); non-UTF-8 content goes to binaryData (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Add(literal);
        command.Add(file);
    }

    public async Task<ConfigMapData> ReadAsync(ParseResult r, CancellationToken ct)
    {
        var data = new ConfigMapData();
        foreach (var pair in r.GetValue(literal) ?? []) data.AddLiteral(pair);
        foreach (var path in r.GetValue(file) ?? []) await data.AddFileAsync(path, ct).ConfigureAwait(false);
        return data;
    }
}

/// <summary><c>kinlet configmap create NAME [--from-literal KEY=VALUE...] [--from-file [KEY=]PATH...] [--immutable]</c>, as kubectl's.</summary>
internal sealed class ConfigMapCreateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the config map" };
    private readonly ConfigMapSourceOptions sources = new();
    private readonly Option<bool> immutable = new("--immutable") { Description = "Refuse later changes to the data (Kubernetes' immutable: true)" };

    protected override Command Create()
    {
        var command = new Command("create", "Create a config map from literals and files") { name, immutable };
        sources.AddTo(command);
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var data = await sources.ReadAsync(r, ct).ConfigureAwait(false);
        var configMap = new ConfigMap { Metadata = new ObjectMeta { Name = r.GetValue(name), Namespace = ns }, Immutable = r.GetValue(immutable) ? true : null };
        data.MergeInto(configMap);
        var created = await Context.Api(r).CreateConfigMapAsync(ns, configMap, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"ConfigMap '{created.Metadata.Name}' created with {ConfigMapText.KeyList(created)}");
        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>kinlet configmap update NAME [--from-literal ...] [--from-file ...] [--remove KEY...]</c>: the given keys replace
/// (or join) the stored ones, <c>--remove</c> drops keys; the rest stays. Mounted files follow within seconds.
/// </summary>
internal sealed class ConfigMapUpdateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the config map" };
    private readonly ConfigMapSourceOptions sources = new();
    private readonly Option<string[]> remove = new("--remove") { Description = "A key to remove (repeatable)", AllowMultipleArgumentsPerToken = false };

    protected override Command Create()
    {
        var command = new Command("update", "Change keys of a config map (the others stay)") { name, remove };
        sources.AddTo(command);
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var n = r.GetValue(name)!;
        var data = await sources.ReadAsync(r, ct).ConfigureAwait(false);
        var removed = r.GetValue(remove) ?? [];
        if (data.Count == 0 && removed.Length == 0)
            throw CliException.Usage("nothing to change: give --from-literal, --from-file or --remove");
        var api = Context.Api(r);
        var configMap = await api.GetConfigMapAsync(ns, n, ct).ConfigureAwait(false);
        foreach (var key in removed)
        {
            if (configMap.Data?.ContainsKey(key) != true && configMap.BinaryData?.ContainsKey(key) != true)
                throw CliException.Usage($"--remove {key}: configmap '{n}' has no key '{key}'");
            configMap.Data?.Remove(key);
            configMap.BinaryData?.Remove(key);
        }
        data.MergeInto(configMap);
        var updated = await api.ReplaceConfigMapAsync(ns, n, configMap, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"ConfigMap '{n}' updated; it has {ConfigMapText.KeyList(updated)}");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet configmap list</c>: NAME, DATA (the number of keys), AGE, as kubectl.</summary>
internal sealed class ConfigMapListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the config map list");

    protected override Command Create()
    {
        var command = new Command("list", "List config maps") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var list = await Context.Api(r).ListConfigMapsAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        list.Items = [.. list.Items.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(list);
            return ExitCodes.Success;
        }
        if (list.Items.Count == 0)
        {
            output.Line("No config maps found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "DATA", "KEYS", "AGE");
        foreach (var m in list.Items)
            table.Add(m.Metadata.Name, ConfigMapText.Count(m).ToString(CultureInfo.InvariantCulture), string.Join(",", ConfigMapText.Keys(m)),
                Age.Format(m.Metadata.CreationTimestamp, Context.Now));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet configmap describe NAME</c>: metadata, then each key and its value (binary keys by size), as kubectl.</summary>
internal sealed class ConfigMapDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the config map" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the ConfigMap resource");

    protected override Command Create() => new("describe", "Show a config map and its data") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var m = await Context.Api(r).GetConfigMapAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(m);
            return ExitCodes.Success;
        }
        var w = output.Human;
        new DescribeWriter(w, Context.Host.TerminalWidth)
            .Field("Name", m.Metadata.Name)
            .Field("Namespace", m.Metadata.Namespace)
            .Map("Labels", m.Metadata.Labels)
            .Map("Annotations", m.Metadata.Annotations)
            .Field("Immutable", m.Immutable == true ? "true" : null)
            .Field("Age", Age.Format(m.Metadata.CreationTimestamp, Context.Now));
        w.WriteLine();
        w.WriteLine("Data");
        w.WriteLine("====");
        foreach (var (key, value) in (m.Data ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteLine(key + ":");
            w.WriteLine("----");
            w.WriteLine(value.TrimEnd('\n'));
            w.WriteLine();
        }
        if (m.BinaryData is { Count: > 0 } binary)
        {
            w.WriteLine("BinaryData");
            w.WriteLine("====");
            foreach (var (key, value) in binary.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                w.WriteLine($"{key}: {ConfigMapText.DecodedLength(value).ToString(CultureInfo.InvariantCulture)} bytes");
        }
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet configmap delete NAME</c>.</summary>
internal sealed class ConfigMapDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the config map" };

    protected override Command Create() => new("delete", "Delete a config map") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeleteConfigMapAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"ConfigMap '{n}' deleted.");
        return ExitCodes.Success;
    }
}

internal static class ConfigMapText
{
    public static IEnumerable<string> Keys(ConfigMap m) =>
        (m.Data?.Keys ?? Enumerable.Empty<string>()).Concat(m.BinaryData?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal);

    public static int Count(ConfigMap m) => (m.Data?.Count ?? 0) + (m.BinaryData?.Count ?? 0);

    public static string KeyList(ConfigMap m) => Count(m) == 0 ? "no keys" : "keys: " + string.Join(", ", Keys(m));

    public static int DecodedLength(string base64) =>
        Core.Validation.ConfigMapValidator.TryDecode(base64, out var bytes) ? bytes.Length : 0;
}
