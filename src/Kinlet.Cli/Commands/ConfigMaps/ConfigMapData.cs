using System.Text;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Cli.Commands.ConfigMaps;

/// <summary>
/// The data of <c>--from-literal KEY=VALUE</c> and <c>--from-file [KEY=]PATH</c>, as kubectl builds it: a file's key
/// is its name unless given, a directory adds each regular file in it, and content that is not UTF-8 goes to
/// <c>binaryData</c> (base64). A key given twice is an error, as in kubectl.
/// </summary>
internal sealed class ConfigMapData
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public Dictionary<string, string> Data { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> BinaryData { get; } = new(StringComparer.Ordinal);

    public int Count => Data.Count + BinaryData.Count;

    public void AddLiteral(string text)
    {
        var i = text.IndexOf('=');
        if (i <= 0) throw CliException.Usage($"--from-literal takes KEY=VALUE, got '{text}'");
        Add(text[..i], Encoding.UTF8.GetBytes(text[(i + 1)..]), "--from-literal", binaryAllowed: false);
    }

    public async Task AddFileAsync(string argument, CancellationToken ct)
    {
        string? key = null;
        var path = argument;
        var eq = argument.IndexOf('=');
        if (eq == 0) throw CliException.Usage($"--from-file takes [KEY=]PATH, got '{argument}'");
        if (eq > 0)
        {
            key = argument[..eq];
            path = argument[(eq + 1)..];
        }
        if (Directory.Exists(path))
        {
            if (key is not null) throw CliException.Usage($"--from-file {argument}: a key cannot name a directory; give KEY=FILE or just the directory");
            foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
                Add(Path.GetFileName(file), await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false), "--from-file " + file, binaryAllowed: true);
            return;
        }
        if (!File.Exists(path)) throw CliException.Usage($"--from-file {argument}: no such file '{path}'");
        Add(key ?? Path.GetFileName(path), await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), "--from-file " + argument, binaryAllowed: true);
    }

    public void Remove(string key)
    {
        Data.Remove(key);
        BinaryData.Remove(key);
    }

    private void Add(string key, byte[] value, string from, bool binaryAllowed)
    {
        if (ConfigMapValidator.ValidateKey(key) is { } problem) throw CliException.Usage($"{from}: key '{key}': {problem}");
        if (Data.ContainsKey(key) || BinaryData.ContainsKey(key)) throw CliException.Usage($"{from}: key '{key}' is given twice");
        if (TryText(value, out var text) || !binaryAllowed) Data[key] = text;
        else BinaryData[key] = Convert.ToBase64String(value);
    }

    private static bool TryText(byte[] value, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(value);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>Puts these keys into <paramref name="target"/>, each replacing the key of that name in data or binaryData.</summary>
    public void MergeInto(ConfigMap target)
    {
        foreach (var (k, v) in Data)
        {
            target.BinaryData?.Remove(k);
            (target.Data ??= new(StringComparer.Ordinal))[k] = v;
        }
        foreach (var (k, v) in BinaryData)
        {
            target.Data?.Remove(k);
            (target.BinaryData ??= new(StringComparer.Ordinal))[k] = v;
        }
    }
}
