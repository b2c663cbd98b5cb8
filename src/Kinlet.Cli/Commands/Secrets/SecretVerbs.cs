using System.CommandLine;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Secrets;

/// <summary><c>kinlet secret create NAME --from-literal KEY=VALUE... [--from-file KEY=PATH...]</c>, as kubectl's.</summary>
internal sealed class SecretCreateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the secret" };
    private readonly Option<string[]> literal = new("--from-literal") { Description = "A key and its value, KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> file = new("--from-file") { Description = "A key and a file holding its value, KEY=PATH (repeatable)", AllowMultipleArgumentsPerToken = false };

    protected override Command Create() => new("create", "Create a secret (its values are never shown again)") { name, literal, file };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in r.GetValue(literal) ?? [])
        {
            var (key, value) = Split(pair, "--from-literal");
            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));
        }
        foreach (var pair in r.GetValue(file) ?? [])
        {
            var (key, path) = Split(pair, "--from-file");
            if (!File.Exists(path)) throw CliException.Usage($"--from-file {key}: no such file '{path}'");
            data[key] = Convert.ToBase64String(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false));
        }
        if (data.Count == 0) throw CliException.Usage("give the secret at least one --from-literal KEY=VALUE or --from-file KEY=PATH");
        var secret = new Secret { Metadata = new ObjectMeta { Name = r.GetValue(name), Namespace = ns }, Type = "Opaque", Data = data };
        var created = await Context.Api(r).CreateSecretAsync(ns, secret, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Secret '{created.Metadata.Name}' created with keys: {string.Join(", ", created.Keys ?? [])}");
        return ExitCodes.Success;
    }

    // Not KeyValueChange.Parse: its error quotes the whole argument, and here that would print a secret value.
    private static (string Key, string Value) Split(string text, string flag)
    {
        var i = text.IndexOf('=');
        if (i <= 0) throw CliException.Usage($"{flag} takes KEY=VALUE, not a value without a key");
        return (text[..i], text[(i + 1)..]);
    }
}

/// <summary><c>kinlet secret list</c>: NAME, KEYS, AGE (never values).</summary>
internal sealed class SecretListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the secret list");

    protected override Command Create()
    {
        var command = new Command("list", "List secrets (names and keys; values are never shown)") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var secrets = await Context.Api(r).ListSecretsAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(secrets);
            return ExitCodes.Success;
        }
        if (secrets.Items.Count == 0)
        {
            output.Line("No secrets found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "KEYS", "AGE");
        foreach (var s in secrets.Items)
            table.Add(s.Metadata.Name, string.Join(",", s.Keys ?? []), Age.Format(s.Metadata.CreationTimestamp, Context.Now));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet secret delete NAME</c>.</summary>
internal sealed class SecretDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the secret" };

    protected override Command Create() => new("delete", "Delete a secret") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeleteSecretAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Secret '{n}' deleted.");
        return ExitCodes.Success;
    }
}
