using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Kinlet.Containers.Docker;

/// <summary>Container calls, one engine operation each, and the mapping of the engine's answers to <see cref="ContainerInfo"/>.</summary>
internal sealed class DockerContainers(DockerEngine engine)
{
    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var parameters = CreateParameters(spec);
        try
        {
            var response = await engine.CallAsync("create", (client, ct) => client.Containers.CreateContainerAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
            DockerLog.Created(engine.Logger, spec.Name, response.ID, spec.Image);
            return response.ID;
        }
        catch (ContainerEngineException e) when (e.StatusCode == 404)
        {
            throw new ImageUnavailableException(spec.Image, "not present locally (ensure the image before creating): " + e.EngineMessage, e);
        }
    }

    internal static CreateContainerParameters CreateParameters(ContainerSpec spec)
    {
        var exposed = new Dictionary<string, EmptyStruct>();
        var bindings = new Dictionary<string, IList<PortBinding>>();
        void Publish(int containerPort)
        {
            if (containerPort <= 0) return;
            var key = containerPort.ToString(CultureInfo.InvariantCulture) + "/tcp";
            exposed[key] = default;
            // Loopback only, engine-chosen port: kinletd is the only way in.
            bindings[key] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }];
        }
        // In another container's network namespace there is nothing to publish or map: that container does it.
        var joined = spec.NetworkOf is { Length: > 0 };
        if (!joined)
        {
            Publish(spec.ContainerPort);
            foreach (var extra in spec.ExtraPorts) Publish(extra);
        }
        return new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Labels = new Dictionary<string, string>(spec.Labels),
            Env = spec.Env.Select(kv => kv.Key + "=" + kv.Value).ToList(),
            ExposedPorts = exposed.Count > 0 ? exposed : null,
            // Kubernetes semantics: an empty command or args means "the image's".
            Entrypoint = spec.Command is { Count: > 0 } command ? command.ToList() : null,
            Cmd = spec.Args is { Count: > 0 } args ? args.ToList() : null,
            WorkingDir = spec.WorkingDir,
            User = spec.User,
            HostConfig = new HostConfig
            {
                NetworkMode = joined ? "container:" + spec.NetworkOf : null,
                PortBindings = bindings.Count > 0 ? bindings : null,
                ExtraHosts = joined ? null : ["host.docker.internal:host-gateway"],
                Privileged = false,
                SecurityOpt = spec.NoNewPrivileges ? ["no-new-privileges"] : null,
                CapAdd = spec.CapAdd.Count > 0 ? spec.CapAdd.ToList() : null,
                CapDrop = spec.CapDrop.Count > 0 ? spec.CapDrop.ToList() : null,
                GroupAdd = spec.GroupAdd.Count > 0 ? spec.GroupAdd.ToList() : null,
                PidsLimit = spec.PidsLimit > 0 ? spec.PidsLimit : null,
                Memory = spec.MemoryBytes ?? 0,
                // Swap equal to memory: no swap beyond the limit, so a memory limit means what it says.
                MemorySwap = spec.MemoryBytes ?? 0,
                NanoCPUs = spec.NanoCpus ?? 0,
                ReadonlyRootfs = spec.ReadOnlyRootFilesystem,
                // The reconciler restarts instances, never the engine: it must see every exit.
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
                // Kept after exit for exit codes and logs; the reconciler removes it.
                AutoRemove = false,
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "2" } },
            },
        };
    }

    public async Task<int> WaitAsync(string containerId, CancellationToken cancellationToken)
    {
        // The engine answers when the process ends: no call timeout (the caller's token bounds it).
        var response = await engine.CallAsync("wait", (client, ct) => client.Containers.WaitContainerAsync(containerId, ct),
            cancellationToken, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    public async Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken)
    {
        await engine.CallAsync("start", (client, ct) => client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), ct), cancellationToken).ConfigureAwait(false);
        var info = await InspectAsync(containerId, cancellationToken).ConfigureAwait(false)
            ?? throw new ContainerEngineException("start", $"container {containerId} vanished right after it started", 404);
        DockerLog.Started(engine.Logger, containerId, info.HostPort);
        return info;
    }

    public async Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await engine.CallAsync("inspect", (client, ct) => client.Containers.InspectContainerAsync(containerId, ct), cancellationToken).ConfigureAwait(false);
            return ToInfo(response);
        }
        catch (ContainerEngineException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = LabelFilter(labels) },
        };
        var list = await engine.CallAsync("list", (client, ct) => client.Containers.ListContainersAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        return list.Select(ToInfo).ToList();
    }

    /// <summary>The engine's <c>label</c> filter: "k" matches the label's presence, "k=v" its value.</summary>
    internal static Dictionary<string, bool> LabelFilter(IReadOnlyDictionary<string, string> labels) =>
        labels.ToDictionary(kv => kv.Value.Length == 0 ? kv.Key : kv.Key + "=" + kv.Value, _ => true, StringComparer.Ordinal);

    public async Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var seconds = (uint)Math.Ceiling(Math.Max(0, gracePeriod.TotalSeconds));
        try
        {
            // The engine waits out the grace period before it answers: bound the call by grace + the usual timeout.
            await engine.CallAsync("stop", (client, ct) => client.Containers.StopContainerAsync(containerId,
                new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, ct), cancellationToken,
                engine.Options.CallTimeout + TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            DockerLog.Stopped(engine.Logger, containerId, seconds);
        }
        catch (ContainerEngineException e) when (e.StatusCode is 404 or 304)
        {
            // Gone or already stopped (Docker.DotNet returns false for 304; older versions threw).
        }
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await engine.CallAsync("remove", (client, ct) => client.Containers.RemoveContainerAsync(containerId,
                new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct), cancellationToken).ConfigureAwait(false);
            DockerLog.Removed(engine.Logger, containerId);
        }
        catch (ContainerEngineException e) when (e.StatusCode == 404
            || (e.StatusCode == 409 && e.EngineMessage.Contains("already in progress", StringComparison.OrdinalIgnoreCase)))
        {
        }
    }

    public Task PauseAsync(string containerId, CancellationToken cancellationToken) =>
        engine.CallAsync("pause", (client, ct) => client.Containers.PauseContainerAsync(containerId, ct), cancellationToken);

    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken) =>
        engine.CallAsync("unpause", (client, ct) => client.Containers.UnpauseContainerAsync(containerId, ct), cancellationToken);

    public Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        engine.CallAsync("exec", async (client, ct) =>
        {
            var exec = await client.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
            {
                Cmd = command.ToList(),
                AttachStdout = true,
                AttachStderr = true,
            }, ct).ConfigureAwait(false);
            // Attached, the output stream ends when the process does: no polling for its exit.
            using (var stream = await client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false, ct).ConfigureAwait(false))
                await DrainAsync(stream, sink: null, ct).ConfigureAwait(false);
            var result = await client.Exec.InspectContainerExecAsync(exec.ID, ct).ConfigureAwait(false);
            return (int)result.ExitCode;
        }, cancellationToken);

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) =>
        engine.CallAsync("logs", async (client, ct) =>
        {
            var parameters = new ContainerLogsParameters
            {
                ShowStdout = true,
                ShowStderr = true,
                Timestamps = false,
                Tail = lines.ToString(CultureInfo.InvariantCulture),
            };
            // Kinlet never creates TTY containers, so the stream is always multiplexed.
            using var stream = await client.Containers.GetContainerLogsAsync(containerId, tty: false, parameters, ct).ConfigureAwait(false);
            // Frame by frame into one buffer: stdout and stderr stay in the engine's order, and a character split
            // across two frames is decoded whole.
            using var bytes = new MemoryStream();
            await DrainAsync(stream, bytes, ct).ConfigureAwait(false);
            return LastLines(Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length), lines);
        }, cancellationToken);

    public async IAsyncEnumerable<LogLine> StreamLogsAsync(string containerId, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = options.Follow,
            Since = options.Since is { } since ? UnixTime(since) : null,
            Tail = options.Tail is { } tail ? Math.Max(0, tail).ToString(CultureInfo.InvariantCulture) : "all",
        };
        // The stream lives as long as the caller reads; only opening it is bounded by the call timeout.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        MultiplexedStream stream;
        try
        {
            stream = await engine.CallAsync("logs", async (client, bounded) =>
            {
                using var _ = bounded.Register(static s => ((CancellationTokenSource)s!).Cancel(), reading);
                return await client.Containers.GetContainerLogsAsync(containerId, tty: false, parameters, reading.Token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            yield break;
        }
        using (stream)
        // Closing the stream is what ends a read the engine has nothing for yet (a quiet container, followed).
        using (reading.Token.Register(static s => ((IDisposable)s!).Dispose(), stream))
        {
            var splitter = new LogLineSplitter(engine.Time.GetUtcNow);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                MultiplexedStream.ReadResult read;
                try
                {
                    read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, reading.Token).ConfigureAwait(false);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    // Docker.DotNet answers a cancelled read with anything from OperationCanceledException to IOException.
                    yield break;
                }
                catch (Exception e) when (e is IOException or HttpRequestException or System.Net.Sockets.SocketException)
                {
                    throw new EngineUnavailableException($"lost the logs of container {containerId}: {e.Message}", e);
                }
                if (read.EOF) break;
                var target = read.Target == MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout;
                foreach (var line in splitter.Add(target, buffer.AsSpan(0, read.Count))) yield return line;
            }
            foreach (var line in splitter.Flush()) yield return line;
        }
    }

    // The engine takes "seconds.nanoseconds" since the epoch.
    internal static string UnixTime(DateTimeOffset t)
    {
        var ticks = (t - DateTimeOffset.UnixEpoch).Ticks;
        if (ticks < 0) ticks = 0;
        return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
    }

    private static async Task DrainAsync(MultiplexedStream stream, MemoryStream? sink, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF) return;
            sink?.Write(buffer, 0, read.Count);
        }
    }

    internal static string LastLines(string text, int lines)
    {
        if (lines <= 0) return "";
        var all = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        return string.Join('\n', all.Length <= lines ? all : all[^lines..]);
    }

    internal static ContainerInfo ToInfo(ContainerInspectResponse c)
    {
        var state = c.State;
        var status = ParseState(state?.Status);
        var finishedAt = EngineTime(state?.FinishedAt);
        return new ContainerInfo
        {
            Id = c.ID,
            Name = c.Name?.TrimStart('/') ?? c.ID,
            Image = c.Config?.Image ?? c.Image,
            Labels = c.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            State = status,
            // An exit code means something once the process has ended, or failed to start (127, with Error set).
            ExitCode = state is null || status is ContainerRunState.Running or ContainerRunState.Paused or ContainerRunState.Restarting
                || (finishedAt is null && state.ExitCode == 0 && string.IsNullOrEmpty(state.Error))
                ? null
                : (int)state.ExitCode,
            OomKilled = state?.OOMKilled ?? false,
            HostPort = HostPort(c.NetworkSettings?.Ports),
            PublishedPorts = PublishedPorts(c.NetworkSettings?.Ports),
            StartedAt = EngineTime(state?.StartedAt),
            FinishedAt = finishedAt,
            Error = string.IsNullOrEmpty(state?.Error) ? null : state.Error,
        };
    }

    internal static ContainerInfo ToInfo(ContainerListResponse c) => new()
    {
        Id = c.ID,
        Name = c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID,
        Image = c.Image,
        Labels = c.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(c.Labels),
        State = ParseState(c.State),
        HostPort = c.Ports?.FirstOrDefault(p => p.IP == "127.0.0.1" && p.PublicPort != 0) is { } p ? p.PublicPort : null,
        PublishedPorts = c.Ports?.Where(p => p.IP == "127.0.0.1" && p.PublicPort != 0)
            .GroupBy(p => (int)p.PrivatePort).ToDictionary(g => g.Key, g => (int)g.First().PublicPort),
    };

    // Kinlet publishes one port; prefer its loopback binding, whatever the container port is.
    private static int? HostPort(IDictionary<string, IList<PortBinding>>? ports)
    {
        if (ports is null) return null;
        int? any = null;
        foreach (var (_, bindings) in ports)
        {
            if (bindings is null) continue;
            foreach (var b in bindings)
            {
                if (!int.TryParse(b.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0) continue;
                if (b.HostIP == "127.0.0.1") return port;
                any ??= port;
            }
        }
        return any;
    }

    private static Dictionary<int, int>? PublishedPorts(IDictionary<string, IList<PortBinding>>? ports)
    {
        if (ports is null) return null;
        var map = new Dictionary<int, int>();
        foreach (var (key, bindings) in ports)
        {
            if (bindings is null) continue;
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (!int.TryParse(slash < 0 ? key : key[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort)) continue;
            foreach (var b in bindings)
                if (b.HostIP == "127.0.0.1" && int.TryParse(b.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port != 0)
                    map[containerPort] = port;
        }
        return map;
    }

    // RFC 3339 with up to nine fractional digits; the engine writes "0001-01-01T00:00:00Z" for "never".
    internal static DateTimeOffset? EngineTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && t.Year > 1 ? t : null;

    internal static ContainerRunState ParseState(string? state) => state switch
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
}
