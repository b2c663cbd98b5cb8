namespace Kinlet.Cli.Editing;

/// <summary>
/// The template flags of <c>service create|update</c> as given: null or empty means "not given, leave it".
/// Key/value flags keep their raw text; <see cref="TemplateEditor"/> parses and checks them.
/// </summary>
internal sealed record TemplateEdits
{
    public string? Image { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary><c>VAR=SECRET:KEY</c>: the variable's value comes from a secret (<c>valueFrom.secretKeyRef</c>).</summary>
    public IReadOnlyList<string> EnvSecrets { get; init; } = [];

    /// <summary><c>--env-from configmap:NAME|cm:NAME|secret:NAME</c>; a trailing '-' removes the reference (kn).</summary>
    public IReadOnlyList<string> EnvFrom { get; init; } = [];
    /// <summary><c>8080</c>, or <c>h2c:8080</c> / <c>http1:8080</c> to name the protocol as kn does.</summary>
    public string? Port { get; init; }
    public IReadOnlyList<string> Annotations { get; init; } = [];
    public IReadOnlyList<string> Labels { get; init; } = [];
    public string? RevisionName { get; init; }
    public int? ScaleMin { get; init; }
    public int? ScaleMax { get; init; }
    public int? ScaleInit { get; init; }
    public long? ConcurrencyLimit { get; init; }
    public int? ConcurrencyTarget { get; init; }
    public IReadOnlyList<string> Limits { get; init; } = [];
    public IReadOnlyList<string> Requests { get; init; } = [];
    public IReadOnlyList<string> Cmd { get; init; } = [];
    public IReadOnlyList<string> Args { get; init; } = [];
    public string? WorkingDir { get; init; }

    /// <summary>True when any flag touches the revision template (so a new revision follows).</summary>
    public bool ChangesTemplate =>
        Image is not null || Env.Count > 0 || EnvSecrets.Count > 0 || EnvFrom.Count > 0 || Port is not null || Annotations.Count > 0 || Labels.Count > 0
        || ScaleMin is not null || ScaleMax is not null || ScaleInit is not null
        || ConcurrencyLimit is not null || ConcurrencyTarget is not null
        || Limits.Count > 0 || Requests.Count > 0 || Cmd.Count > 0 || Args.Count > 0 || WorkingDir is not null;

    public bool Any => ChangesTemplate || RevisionName is not null;
}
