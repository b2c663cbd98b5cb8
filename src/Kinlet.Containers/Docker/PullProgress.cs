using System.Globalization;
using Docker.DotNet.Models;

namespace Kinlet.Containers.Docker;

/// <summary>
/// Turns the engine's pull messages into short lines ("Pulling app:1: 4f4fb700ef54: Downloading [==>  ] 1MB/5MB"),
/// at most one per layer every <see cref="Throttle"/> unless its status changes; and keeps the first error
/// the stream reports. Docker.DotNet reports from its single reading loop, so no locking is needed.
/// </summary>
internal sealed class PullProgress(string image, IProgress<string>? sink, TimeProvider time) : IProgress<JSONMessage>
{
    public static readonly TimeSpan Throttle = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, (string Status, long At)> _layers = new(StringComparer.Ordinal);

    public string? Error { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message is { Length: > 0 } detail ? detail : value.ErrorMessage;
        if (!string.IsNullOrWhiteSpace(error))
        {
            Error ??= error.Trim();
            return;
        }
        if (sink is null || string.IsNullOrEmpty(value.Status)) return;

        if (!string.IsNullOrEmpty(value.ID))
        {
            var now = time.GetTimestamp();
            if (_layers.TryGetValue(value.ID, out var last) && last.Status == value.Status && time.GetElapsedTime(last.At, now) < Throttle)
                return;
            _layers[value.ID] = (value.Status, now);
        }
        sink.Report(Format(value));
    }

    private string Format(JSONMessage m)
    {
        var progress = m.ProgressMessage;
        if (string.IsNullOrEmpty(progress) && m.Progress is { Total: > 0 } p)
            progress = string.Create(CultureInfo.InvariantCulture, $"{p.Current}/{p.Total}");
        var line = string.IsNullOrEmpty(m.ID) ? $"Pulling {image}: {m.Status}" : $"Pulling {image}: {m.ID}: {m.Status}";
        return string.IsNullOrEmpty(progress) ? line : line + " " + progress;
    }
}
