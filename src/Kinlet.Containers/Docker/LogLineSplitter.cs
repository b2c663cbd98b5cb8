using System.Buffers;
using System.Text;

namespace Kinlet.Containers.Docker;

/// <summary>
/// Turns the engine's demultiplexed log frames into lines. Frames need not end at a newline (and a UTF-8
/// character may be split across two), so each stream keeps its own pending bytes. With timestamps on, every
/// line starts with the engine's RFC 3339 time and a space; a line too long for <see cref="MaxLineBytes"/> is cut
/// into pieces, each taking the time of the piece before.
/// </summary>
internal sealed class LogLineSplitter
{
    public const int MaxLineBytes = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly ArrayBufferWriter<byte> _stdout = new();
    private readonly ArrayBufferWriter<byte> _stderr = new();
    private readonly Func<DateTimeOffset> _now;
    private DateTimeOffset? _last;

    public LogLineSplitter(Func<DateTimeOffset> now) => _now = now;

    /// <summary>Adds one frame; returns the lines it completed.</summary>
    public List<LogLine> Add(LogStream stream, ReadOnlySpan<byte> frame)
    {
        var lines = new List<LogLine>();
        var pending = stream == LogStream.Stderr ? _stderr : _stdout;
        while (!frame.IsEmpty)
        {
            var newline = frame.IndexOf((byte)'\n');
            if (newline < 0)
            {
                pending.Write(frame);
                if (pending.WrittenCount >= MaxLineBytes) lines.Add(Take(stream, pending));
                return lines;
            }
            pending.Write(frame[..newline]);
            lines.Add(Take(stream, pending));
            frame = frame[(newline + 1)..];
        }
        return lines;
    }

    /// <summary>What is left when the stream ends: a last line without its newline.</summary>
    public List<LogLine> Flush()
    {
        var lines = new List<LogLine>();
        if (_stdout.WrittenCount > 0) lines.Add(Take(LogStream.Stdout, _stdout));
        if (_stderr.WrittenCount > 0) lines.Add(Take(LogStream.Stderr, _stderr));
        return lines;
    }

    private LogLine Take(LogStream stream, ArrayBufferWriter<byte> pending)
    {
        var bytes = pending.WrittenSpan;
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        var line = Parse(stream, bytes);
        pending.ResetWrittenCount();
        return line;
    }

    private LogLine Parse(LogStream stream, ReadOnlySpan<byte> bytes)
    {
        // "2024-05-01T12:00:00.123456789Z text": the time is ASCII up to the first space.
        var space = bytes.IndexOf((byte)' ');
        if (space is > 0 and <= 40 && bytes[0] is >= (byte)'0' and <= (byte)'9'
            && ParseTime(Encoding.ASCII.GetString(bytes[..space])) is { } time)
        {
            _last = time;
            return new LogLine(time, stream, Utf8.GetString(bytes[(space + 1)..]));
        }
        return new LogLine(_last ?? _now(), stream, Utf8.GetString(bytes));
    }

    /// <summary>RFC 3339 with up to nine fractional digits; .NET keeps seven of them.</summary>
    internal static DateTimeOffset? ParseTime(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = text[..(dot + 8)] + text[end..];
        }
        return DockerContainers.EngineTime(text);
    }
}
