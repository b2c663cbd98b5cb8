using System.Threading.Channels;

namespace Kinlet.Serving.ConfigMaps;

/// <summary>Which kind of referenced configuration changed.</summary>
public enum ConfigKind
{
    ConfigMap,
    Secret,
}

/// <summary>
/// One ConfigMap or Secret was created, replaced or deleted (<see cref="Deleted"/>). <see cref="Version"/> counts
/// every change the feed ever published, so a watcher that sees it jump by more than one knows it missed some.
/// Never carries values: a watcher reads the store for those.
/// </summary>
public readonly record struct ConfigChange(ConfigKind Kind, string Namespace, string Name, bool Deleted, long Version);

/// <summary>
/// Changes to ConfigMaps and Secrets, for what keeps a copy of them up to date (mounted volume files). Env
/// variables are resolved once, at container creation, and do not follow changes (as in Kubernetes).
/// </summary>
public interface IConfigChangeFeed
{
    /// <summary>The last version published (0 before any change).</summary>
    long Version { get; }

    /// <summary>
    /// Every change published from now until <paramref name="cancellationToken"/> is cancelled, which completes the
    /// reader. A watcher that falls more than 256 changes behind loses the oldest (see <see cref="ConfigChange.Version"/>).
    /// </summary>
    ChannelReader<ConfigChange> Watch(CancellationToken cancellationToken);
}

/// <summary>
/// The feed behind <see cref="IConfigChangeFeed"/>: the ConfigMap and Secret controllers publish after each stored
/// write; each watcher has its own bounded channel, so a slow watcher never blocks a writer or another watcher.
/// </summary>
public sealed class ConfigChangeFeed : IConfigChangeFeed
{
    private const int WatcherCapacity = 256;
    private readonly Lock _gate = new();
    private Channel<ConfigChange>[] _watchers = [];
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public ChannelReader<ConfigChange> Watch(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ConfigChange>(new BoundedChannelOptions(WatcherCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate) _watchers = [.. _watchers, channel];
        cancellationToken.Register(() =>
        {
            lock (_gate) _watchers = [.. _watchers.Where(w => w != channel)];
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Publish(ConfigKind kind, string @namespace, string name, bool deleted)
    {
        lock (_gate)
        {
            // Under the gate so versions reach every watcher in order; TryWrite on a DropOldest channel never waits.
            var change = new ConfigChange(kind, @namespace, name, deleted, Interlocked.Increment(ref _version));
            foreach (var w in _watchers) w.Writer.TryWrite(change);
        }
    }
}
