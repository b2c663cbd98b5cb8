using Docker.DotNet.Models;

namespace Kinlet.Containers.Builds;

/// <summary>
/// Turns the engine's build messages into whole lines for the caller, and remembers the current step and its
/// last lines so a failure can name both. Docker.DotNet reports from its single reading loop: no locking needed.
/// </summary>
internal sealed class BuildOutput(IProgress<string>? sink) : IProgress<JSONMessage>
{
    /// <summary>How many of the failing step's lines a failure carries.</summary>
    public const int StepTailLines = 30;

    private readonly Queue<string> _stepTail = new();
    private string _partial = "";

    public string? Step { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<string> StepTail => [.. _stepTail];

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message is { Length: > 0 } detail ? detail : value.ErrorMessage;
        if (!string.IsNullOrWhiteSpace(error))
        {
            Flush();
            Error ??= error.Trim();
            return;
        }
        // "stream" carries the builder's output, in chunks that need not end at a line break.
        var text = value.Stream ?? (string.IsNullOrEmpty(value.Status) ? null : value.Status + "\n");
        if (string.IsNullOrEmpty(text)) return;
        text = _partial + text;
        var start = 0;
        int end;
        while ((end = text.IndexOf('\n', start)) >= 0)
        {
            Line(text[start..end].TrimEnd('\r'));
            start = end + 1;
        }
        _partial = text[start..];
    }

    /// <summary>Emits a last line without its line break.</summary>
    public void Flush()
    {
        if (_partial.Length == 0) return;
        var last = _partial;
        _partial = "";
        Line(last);
    }

    /// <summary>The classic builder's own bookkeeping lines, left out of a failure's excerpt.</summary>
    private static bool IsBuilderChatter(string line) =>
        line.StartsWith(" ---> ", StringComparison.Ordinal) || line.StartsWith("Removing intermediate container ", StringComparison.Ordinal);

    private void Line(string line)
    {
        if (line.StartsWith("Step ", StringComparison.Ordinal) && line.Contains(" : ", StringComparison.Ordinal))
        {
            Step = line;
            _stepTail.Clear();
        }
        else if (line.Length > 0 && !IsBuilderChatter(line))
        {
            _stepTail.Enqueue(line);
            if (_stepTail.Count > StepTailLines) _stepTail.Dequeue();
        }
        sink?.Report(line);
    }
}
