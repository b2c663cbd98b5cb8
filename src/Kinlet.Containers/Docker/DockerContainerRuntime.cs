using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Kinlet.Containers.Docker;

/// <summary>
/// <see cref="IContainerRuntime"/> over the Docker Engine API (Docker.DotNet). Thin by design: every
/// method is one or two engine calls, translated; when to call them is the reconciler's business.
/// One client per process; every call bounded by a timeout.
/// </summary>
public sealed class DockerContainerRuntime : IContainerRuntime, IDisposable
{
    private readonly DockerClient _client;
    private readonly DockerRuntimeOptions _options;

    public DockerContainerRuntime(DockerRuntimeOptions options)
    {
        _options = options;
        // The client's own timeout would cut long-lived streams (events, logs -f); calls are bounded per call instead.
        _client = new DockerClientConfiguration(options.EndpointUri(), defaultTimeout: Timeout.InfiniteTimeSpan).CreateClient();
    }

    public static DockerContainerRuntime Create(DockerRuntimeOptions options) => new(options);

    private CancellationTokenSource Bound(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? _options.CallTimeout);
        return cts;
    }

    /// <summary>Runs one engine call; a dead socket or a stuck engine becomes <see cref="EngineUnavailableException"/>.</summary>
    private async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var cts = Bound(cancellationToken, timeout);
        try
        {
            return await call(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EngineUnavailableException($"the container engine did not answer {what} within {(timeout ?? _options.CallTimeout).TotalSeconds:0}s");
        }
        catch (HttpRequestException e)
        {
            throw new EngineUnavailableException($"the container engine at {_options.EndpointUri()} is not reachable: {e.Message}", e);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new EngineUnavailableException($"the container engine at {_options.EndpointUri()} is not reachable: {e.Message}", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new EngineUnavailableException($"the container engine connection failed: {e.Message}", e);
        }
    }

    private Task CallAsync(string what, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync(what, async ct => { await call(ct).ConfigureAwait(false); return 0; }, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        CallAsync("ping", ct => _client.System.PingAsync(ct), cancellationToken);

    public async Task<ImageInfo> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var local = await InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
        if (local is not null) return local;

        var (name, tag) = ImageReference.Split(image);
        progress?.Report($"pulling {image}");
        var pullProgress = new PullProgress(progress, image);
        try
        {
            await CallAsync("pull", async ct =>
            {
                await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, null, pullProgress, ct).ConfigureAwait(false);
                return 0;
            }, cancellationToken, _options.PullTimeout).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new ImageUnavailableException(image, "not found locally and the pull failed: " + EngineMessage(e), e);
        }
        catch (EngineUnavailableException e) when (e.InnerException is null)
        {
            throw new ImageUnavailableException(image, "the pull did not finish in time", e);
        }
        if (pullProgress.Error is { } error)
            throw new ImageUnavailableException(image, "not found locally and the pull failed: " + error);
        return await InspectImageAsync(image, cancellationToken).ConfigureAwait(false)
            ?? throw new ImageUnavailableException(image, "the pull reported success but the image is not there");
    }

    private async Task<ImageInfo?> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var info = await CallAsync("image inspect", ct => _client.Images.InspectImageAsync(image, ct), cancellationToken).ConfigureAwait(false);
            return new ImageInfo(info.ID, info.RepoDigests?.FirstOrDefault());
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var port = spec.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/tcp";
        var parameters = new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Labels = new Dictionary<string, string>(spec.Labels),
            Env = spec.Env.Select(kv => kv.Key + "=" + kv.Value).ToList(),
            ExposedPorts = new Dictionary<string, EmptyStruct> { [port] = default },
            Entrypoint = spec.Command?.ToList(),
            Cmd = spec.Args?.ToList(),
            WorkingDir = spec.WorkingDir,
            User = spec.User,
            HostConfig = new HostConfig
            {
                // Loopback only, engine-chosen port: kinletd is the only way in.
                PortBindings = new Dictionary<string, IList<PortBinding>> { [port] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
                ExtraHosts = ["host.docker.internal:host-gateway"],
                Privileged = false,
                SecurityOpt = ["no-new-privileges"],
                PidsLimit = spec.PidsLimit,
                Memory = spec.MemoryBytes ?? 0,
                // Swap equal to memory: no swap beyond the limit, so a memory limit means what it says.
                MemorySwap = spec.MemoryBytes ?? 0,
                NanoCPUs = spec.NanoCpus ?? 0,
                ReadonlyRootfs = spec.ReadOnlyRootFilesystem,
                // The reconciler restarts instances, never the engine: it must see every exit.
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "2" } },
            },
        };
        var response = await CallAsync("create", ct => _client.Containers.CreateContainerAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        return response.ID;
    }

    public async Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken)
    {
        await CallAsync("start", ct => _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), ct), cancellationToken).ConfigureAwait(false);
        return await InspectAsync(containerId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"container {containerId} vanished right after it started");
    }

    public async Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            var c = await CallAsync("inspect", ct => _client.Containers.InspectContainerAsync(containerId, ct), cancellationToken).ConfigureAwait(false);
            return ToInfo(c);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var filter = labels.ToDictionary(kv => kv.Value.Length == 0 ? kv.Key : kv.Key + "=" + kv.Value, _ => true);
        var list = await CallAsync("list", ct => _client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = filter },
        }, ct), cancellationToken).ConfigureAwait(false);
        return list.Select(c => new ContainerInfo
        {
            Id = c.ID,
            Name = c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID,
            Image = c.Image,
            Labels = c.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(c.Labels),
            State = ParseState(c.State),
            HostPort = c.Ports?.FirstOrDefault(p => p.IP is "127.0.0.1" && p.PublicPort != 0) is { } p ? p.PublicPort : null,
        }).ToList();
    }

    public async Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var seconds = (uint)Math.Ceiling(Math.Max(0, gracePeriod.TotalSeconds));
        try
        {
            await CallAsync("stop", ct => _client.Containers.StopContainerAsync(containerId,
                new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, ct), cancellationToken,
                _options.CallTimeout + gracePeriod).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("remove", ct => _client.Containers.RemoveContainerAsync(containerId,
                new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // "removal already in progress"
        }
    }

    public Task PauseAsync(string containerId, CancellationToken cancellationToken) =>
        CallAsync("pause", ct => _client.Containers.PauseContainerAsync(containerId, ct), cancellationToken);

    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken) =>
        CallAsync("unpause", ct => _client.Containers.UnpauseContainerAsync(containerId, ct), cancellationToken);

    public Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        CallAsync("exec", async ct =>
        {
            var exec = await _client.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
            {
                Cmd = command.ToList(),
                AttachStdout = false,
                AttachStderr = false,
            }, ct).ConfigureAwait(false);
            await _client.Exec.StartContainerExecAsync(exec.ID, ct).ConfigureAwait(false);
            while (true)
            {
                var state = await _client.Exec.InspectContainerExecAsync(exec.ID, ct).ConfigureAwait(false);
                if (!state.Running) return (int)state.ExitCode;
                await Task.Delay(20, ct).ConfigureAwait(false);
            }
        }, cancellationToken);

    public async Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync("logs", async ct =>
            {
                using var stream = await _client.Containers.GetContainerLogsAsync(containerId, tty: false, new ContainerLogsParameters
                {
                    ShowStdout = true,
                    ShowStderr = true,
                    Tail = lines.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }, ct).ConfigureAwait(false);
                // Read frame by frame so stdout and stderr stay in the order the engine kept them.
                var text = new StringBuilder();
                var buffer = new byte[8192];
                while (true)
                {
                    var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
                    if (read.EOF) break;
                    text.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                }
                return LastLines(text.ToString(), lines);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return "";
        }
    }

    private static string LastLines(string text, int lines)
    {
        var all = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        return string.Join('\n', all.Length <= lines ? all : all[^lines..]);
    }

    public async IAsyncEnumerable<ContainerEvent> WatchAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["type"] = new Dictionary<string, bool> { ["container"] = true },
            ["label"] = labels.ToDictionary(kv => kv.Value.Length == 0 ? kv.Key : kv.Key + "=" + kv.Value, _ => true),
        };
        var monitor = Task.Run(async () =>
        {
            try
            {
                await _client.System.MonitorEventsAsync(new ContainerEventsParameters { Filters = filters }, new ChannelProgress(channel.Writer), cancellationToken).ConfigureAwait(false);
                channel.Writer.TryComplete(cancellationToken.IsCancellationRequested ? null : new EngineUnavailableException("the engine closed its event stream"));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(new EngineUnavailableException("lost the engine's event stream: " + e.Message, e));
            }
        }, CancellationToken.None);

        await foreach (var m in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var attributes = m.Actor?.Attributes ?? new Dictionary<string, string>();
            int? exitCode = attributes.TryGetValue("exitCode", out var code) && int.TryParse(code, out var c) ? c : null;
            var time = m.TimeNano > 0 ? DateTimeOffset.UnixEpoch.AddTicks(m.TimeNano / 100) : DateTimeOffset.UtcNow;
            yield return new ContainerEvent(m.Actor?.ID ?? m.ID, m.Action ?? m.Status ?? "", new Dictionary<string, string>(attributes), exitCode, time);
        }
        await monitor.ConfigureAwait(false);
    }

    /// <summary>Writes engine messages straight into a channel: <c>Progress&lt;T&gt;</c> would post to the thread pool and reorder them.</summary>
    private sealed class ChannelProgress(ChannelWriter<Message> writer) : IProgress<Message>
    {
        public void Report(Message value) => writer.TryWrite(value);
    }

    /// <summary>Pull progress as short lines, at most one per layer state; keeps the first error the stream reports.</summary>
    private sealed class PullProgress(IProgress<string>? sink, string image) : IProgress<JSONMessage>
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            var error = value.Error?.Message ?? value.ErrorMessage;
            if (!string.IsNullOrEmpty(error))
            {
                Error ??= error;
                return;
            }
            if (sink is null || string.IsNullOrEmpty(value.Status)) return;
            var line = string.IsNullOrEmpty(value.ID) ? value.Status : $"{value.ID}: {value.Status}";
            lock (_seen)
                if (!_seen.Add(line)) return;
            sink.Report($"pulling {image}: {line}");
        }
    }

    private static string EngineMessage(DockerApiException e)
    {
        var body = e.ResponseBody?.Trim() ?? "";
        const string key = "\"message\":\"";
        var i = body.IndexOf(key, StringComparison.Ordinal);
        if (i >= 0)
        {
            var start = i + key.Length;
            var end = body.IndexOf('"', start);
            if (end > start) return body[start..end];
        }
        return body.Length > 0 ? body : e.Message;
    }

    private static ContainerInfo ToInfo(ContainerInspectResponse c)
    {
        int? hostPort = null;
        if (c.NetworkSettings?.Ports is { } ports)
        {
            foreach (var (_, bindings) in ports)
            {
                var b = bindings?.FirstOrDefault(x => !string.IsNullOrEmpty(x.HostPort));
                if (b is not null && int.TryParse(b.HostPort, out var p)) { hostPort = p; break; }
            }
        }
        var state = c.State;
        return new ContainerInfo
        {
            Id = c.ID,
            Name = c.Name?.TrimStart('/') ?? c.ID,
            Image = c.Config?.Image ?? c.Image,
            Labels = c.Config?.Labels is { } l ? new Dictionary<string, string>(l) : new Dictionary<string, string>(),
            State = ParseState(state?.Status),
            ExitCode = state is null || state.Running ? null : (int)state.ExitCode,
            OomKilled = state?.OOMKilled ?? false,
            HostPort = hostPort,
            StartedAt = EngineTime(state?.StartedAt),
            FinishedAt = EngineTime(state?.FinishedAt),
            Error = string.IsNullOrEmpty(state?.Error) ? null : state.Error,
        };
    }

    // The engine writes "0001-01-01T00:00:00Z" for "never".
    private static DateTimeOffset? EngineTime(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) && t.Year > 1
            ? t : null;

    private static ContainerRunState ParseState(string? state) => state switch
    {
        "created" => ContainerRunState.Created,
        "running" => ContainerRunState.Running,
        "paused" => ContainerRunState.Paused,
        "restarting" => ContainerRunState.Restarting,
        "exited" => ContainerRunState.Exited,
        "dead" => ContainerRunState.Dead,
        "removing" => ContainerRunState.Removing,
        _ => ContainerRunState.Unknown,
    };

    public void Dispose() => _client.Dispose();
}
