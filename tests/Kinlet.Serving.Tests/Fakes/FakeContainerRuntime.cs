using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kinlet.Containers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving.Tests.Fakes;

/// <summary>
/// A container engine in the test process. Each started "container" is a real HTTP server on Kestrel at
/// 127.0.0.1, port 0, so readiness probes and forwarding go over real sockets; lifecycle events go to
/// <see cref="WatchAsync"/> subscribers as the engine's would (start, die, pause, unpause, destroy).
/// Hooks make the engine misbehave on demand; counters say what was asked of it.
/// </summary>
public sealed class FakeContainerRuntime : IContainerRuntime, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeContainer> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _missingImages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unpullable = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Exception> _createFailures = new();
    private readonly ConcurrentQueue<Exception> _startFailures = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly Lock _gate = new();
    private int _nextId;
    private int _creates, _starts, _stops, _removes, _pauses, _unpauses, _pulls, _execs;

    public int Creates => Volatile.Read(ref _creates);
    public int Starts => Volatile.Read(ref _starts);
    public int Stops => Volatile.Read(ref _stops);
    public int Removes => Volatile.Read(ref _removes);
    public int Pauses => Volatile.Read(ref _pauses);
    public int Unpauses => Volatile.Read(ref _unpauses);
    public int Pulls => Volatile.Read(ref _pulls);
    public int Execs => Volatile.Read(ref _execs);

    /// <summary>While set, <see cref="PingAsync"/> and every other call fail as an unreachable engine does.</summary>
    public bool EngineDown { get; set; }

    /// <summary>Containers started from now on refuse connections (nothing listening) until <see cref="SetAnswering"/>.</summary>
    public bool NewContainersAnswer { get; set; } = true;

    /// <summary>Containers started from now on answer 503 on health paths (<see cref="HealthPathPrefix"/>) until <see cref="SetHealthy"/>.</summary>
    public bool NewContainersHealthy { get; set; } = true;

    /// <summary>Requests whose path starts with this are health checks: 200 when healthy, 503 when not.</summary>
    public string HealthPathPrefix { get; set; } = "/health";

    /// <summary>
    /// Containers that run to completion (init containers): given a started container's spec, the exit code it ends
    /// with at once, or null for one that keeps running. Default: init containers (role label) exit 0.
    /// </summary>
    public Func<ContainerSpec, int?> ExitOnStart { get; set; } = spec =>
        spec.Labels.TryGetValue(Kinlet.Core.Model.KnownKeys.ContainerRole, out var role) && role == Kinlet.Core.Model.KnownKeys.RoleInit ? 0 : null;

    /// <summary>Exit code of exec probes.</summary>
    public int ExecExitCode { get; set; }

    /// <summary>
    /// What every container's HTTP server does with a request that is not a health check (default: 200,
    /// body "hello from {container name}"). Runs on the container's Kestrel.
    /// </summary>
    public Func<FakeContainer, HttpContext, Task> Handler { get; set; } = DefaultHandler;

    public static Task DefaultHandler(FakeContainer container, HttpContext context) =>
        context.Response.WriteAsync("hello from " + container.Name, context.RequestAborted);

    // ---- hooks ----

    /// <summary>The next create fails with <paramref name="error"/> (default: an engine refusal, status 500).</summary>
    public void FailNextCreate(Exception? error = null) =>
        _createFailures.Enqueue(error ?? new ContainerEngineException("create", "fake: create refused", 500));

    /// <summary>The next start fails with <paramref name="error"/> (default: "exec: not found", the container stays created).</summary>
    public void FailNextStart(Exception? error = null) =>
        _startFailures.Enqueue(error ?? new ContainerEngineException("start", "fake: exec: \"/app\": not found", 500));

    /// <summary>The image is not present: create reports it missing until a pull (<see cref="EnsureImageAsync"/>) fetches it.</summary>
    public void RemoveImage(string image) => _missingImages[image] = 0;

    /// <summary>The image is missing and a pull of it fails with <paramref name="reason"/>.</summary>
    public void MakeUnpullable(string image, string reason = "manifest unknown")
    {
        _missingImages[image] = 0;
        _unpullable[image] = reason;
    }

    /// <summary>The process ends on its own: the server stops, the container exits and "die" is reported.</summary>
    public async Task CrashAsync(string containerId, int exitCode = 1, bool oomKilled = false)
    {
        var c = Get(containerId);
        c.Log("fake: crashing with exit code " + exitCode);
        await c.StopServerAsync().ConfigureAwait(false);
        c.Finish(exitCode, oomKilled);
        Publish(c, oomKilled ? "oom" : "die", exitCode);
    }

    /// <summary>Makes the container refuse (false) or accept (true) connections.</summary>
    public void SetAnswering(string containerId, bool answering) => Get(containerId).Answering = answering;

    /// <summary>Makes the container's health paths answer 200 (true) or 503 (false).</summary>
    public void SetHealthy(string containerId, bool healthy) => Get(containerId).Healthy = healthy;

    /// <summary>Ends every open event stream with an error, as a dropped engine connection does.</summary>
    public void DropEventStreams()
    {
        Subscriber[] subs;
        lock (_gate) subs = [.. _subscribers];
        foreach (var s in subs) s.Channel.Writer.TryComplete(new EngineUnavailableException("fake: event stream dropped"));
    }

    public IReadOnlyCollection<FakeContainer> Containers => [.. _containers.Values];

    /// <summary>The containers whose process runs now.</summary>
    public IReadOnlyList<FakeContainer> Running => [.. _containers.Values.Where(c => c.State == ContainerRunState.Running)];

    public FakeContainer Get(string containerId) =>
        _containers.TryGetValue(containerId, out var c) ? c : throw new InvalidOperationException("fake: no container " + containerId);

    // ---- IContainerRuntime ----

    public Task PingAsync(CancellationToken cancellationToken)
    {
        Engine();
        return Task.CompletedTask;
    }

    public async Task<ImageInfo> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        Engine();
        if (_missingImages.ContainsKey(image))
        {
            Interlocked.Increment(ref _pulls);
            progress?.Report($"Pulling {image}");
            await Task.Yield();
            if (_unpullable.TryGetValue(image, out var reason)) throw new ImageUnavailableException(image, reason);
            _missingImages.TryRemove(image, out _);
            progress?.Report($"Pulled {image}");
        }
        return new ImageInfo("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image))), null);
    }

    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _creates);
        if (_createFailures.TryDequeue(out var error)) return Task.FromException<string>(error);
        if (_missingImages.ContainsKey(spec.Image)) return Task.FromException<string>(new ImageUnavailableException(spec.Image, "No such image"));
        if (_containers.Values.Any(c => c.Name == spec.Name))
            return Task.FromException<string>(new ContainerEngineException("create", $"Conflict. The container name \"/{spec.Name}\" is already in use", 409));
        var id = "fake" + Interlocked.Increment(ref _nextId).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + new string('0', 52);
        var c = new FakeContainer(this, id, spec);
        _containers[id] = c;
        Publish(c, "create", null);
        return Task.FromResult(id);
    }

    public async Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _starts);
        var c = Find(containerId) ?? throw new ContainerEngineException("start", "No such container: " + containerId, 404);
        if (_startFailures.TryDequeue(out var error))
        {
            c.Error = error.Message;
            throw error;
        }
        if (c.State == ContainerRunState.Running) return c.Info();
        c.Answering = NewContainersAnswer;
        c.Healthy = NewContainersHealthy;
        await c.StartServerAsync().ConfigureAwait(false);
        Publish(c, "start", null);
        var info = c.Info();
        if (ExitOnStart(c.Spec) is { } code)
        {
            c.Log("fake: ran to completion with exit code " + code);
            await c.StopServerAsync().ConfigureAwait(false);
            c.Finish(code, false);
            Publish(c, "die", code);
        }
        return info;
    }

    public async Task<int> WaitAsync(string containerId, CancellationToken cancellationToken)
    {
        Engine();
        var c = Find(containerId) ?? throw new ContainerEngineException("wait", "No such container: " + containerId, 404);
        await c.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        return c.ExitCode ?? -1;
    }

    public Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken)
    {
        Engine();
        return Task.FromResult(Find(containerId)?.Info());
    }

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        Engine();
        IReadOnlyList<ContainerInfo> list = [.. _containers.Values.Where(c => Matches(c.Spec.Labels, labels)).Select(c => c.Info() with { ExitCode = null, StartedAt = null, FinishedAt = null })];
        return Task.FromResult(list);
    }

    public async Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _stops);
        if (Find(containerId) is not { } c || c.State is not (ContainerRunState.Running or ContainerRunState.Paused)) return;
        await c.StopServerAsync().ConfigureAwait(false);
        c.Finish(143, false);
        Publish(c, "die", 143);
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _removes);
        if (!_containers.TryRemove(containerId, out var c)) return;
        if (c.State is ContainerRunState.Running or ContainerRunState.Paused)
        {
            await c.StopServerAsync().ConfigureAwait(false);
            c.Finish(137, false);
            Publish(c, "die", 137);
        }
        Publish(c, "destroy", null);
    }

    public Task PauseAsync(string containerId, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _pauses);
        var c = Find(containerId) ?? throw new ContainerEngineException("pause", "No such container: " + containerId, 404);
        if (c.State != ContainerRunState.Running) throw new ContainerEngineException("pause", $"Container {containerId} is not running", 409);
        c.State = ContainerRunState.Paused;
        Publish(c, "pause", null);
        return Task.CompletedTask;
    }

    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _unpauses);
        var c = Find(containerId) ?? throw new ContainerEngineException("unpause", "No such container: " + containerId, 404);
        if (c.State != ContainerRunState.Paused) throw new ContainerEngineException("unpause", $"Container {containerId} is not paused", 409);
        c.State = ContainerRunState.Running;
        Publish(c, "unpause", null);
        return Task.CompletedTask;
    }

    public Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        Engine();
        Interlocked.Increment(ref _execs);
        var c = Find(containerId) ?? throw new ContainerEngineException("exec", "No such container: " + containerId, 404);
        if (c.State != ContainerRunState.Running) throw new ContainerEngineException("exec", $"Container {containerId} is not running", 409);
        return Task.FromResult(ExecExitCode);
    }

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken)
    {
        Engine();
        var c = Find(containerId) ?? throw new ContainerEngineException("logs", "No such container: " + containerId, 404);
        return Task.FromResult(string.Join("\n", c.Lines.TakeLast(lines).Select(l => l.Text)));
    }

    public async IAsyncEnumerable<LogLine> StreamLogsAsync(string containerId, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Engine();
        var c = Find(containerId) ?? throw new ContainerEngineException("logs", "No such container: " + containerId, 404);
        IEnumerable<LogLine> window = c.Lines.Where(l => options.Since is not { } since || l.Time >= since);
        if (options.Tail is { } tail) window = window.TakeLast(tail);
        foreach (var line in window) yield return line;
        if (!options.Follow) yield break;
        try
        {
            await c.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async IAsyncEnumerable<ContainerEvent> WatchAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Engine();
        var sub = new Subscriber(labels, Channel.CreateUnbounded<ContainerEvent>());
        lock (_gate) _subscribers.Add(sub);
        try
        {
            while (true)
            {
                ContainerEvent e;
                try
                {
                    if (!await sub.Channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) yield break;
                    if (!sub.Channel.Reader.TryRead(out e!)) continue;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                yield return e;
            }
        }
        finally
        {
            lock (_gate) _subscribers.Remove(sub);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _containers.Values) await c.StopServerAsync().ConfigureAwait(false);
        _containers.Clear();
    }

    // ---- internals ----

    private FakeContainer? Find(string containerId) => _containers.TryGetValue(containerId, out var c) ? c : null;

    private void Engine()
    {
        if (EngineDown) throw new EngineUnavailableException("fake: the engine is down");
    }

    private static bool Matches(IReadOnlyDictionary<string, string> have, IReadOnlyDictionary<string, string> want) =>
        want.All(w => have.TryGetValue(w.Key, out var v) && (w.Value.Length == 0 || v == w.Value));

    private void Publish(FakeContainer c, string action, int? exitCode)
    {
        var e = new ContainerEvent(c.Id, action, c.Spec.Labels, exitCode, DateTimeOffset.UtcNow);
        Subscriber[] subs;
        lock (_gate) subs = [.. _subscribers];
        foreach (var s in subs)
            if (Matches(c.Spec.Labels, s.Labels)) s.Channel.Writer.TryWrite(e);
    }

    private sealed record Subscriber(IReadOnlyDictionary<string, string> Labels, Channel<ContainerEvent> Channel);

    internal Task HandleAsync(FakeContainer container, HttpContext context)
    {
        if (context.Request.Path.Value?.StartsWith(HealthPathPrefix, StringComparison.Ordinal) == true)
        {
            context.Response.StatusCode = container.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }
        Interlocked.Increment(ref container.RequestCount);
        return Handler(container, context);
    }
}

/// <summary>One container of <see cref="FakeContainerRuntime"/>: its spec, state, log lines and HTTP server.</summary>
public sealed class FakeContainer
{
    private readonly FakeContainerRuntime _runtime;
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _server;
    private volatile int _state = (int)ContainerRunState.Created;
    internal int RequestCount;

    internal FakeContainer(FakeContainerRuntime runtime, string id, ContainerSpec spec)
    {
        _runtime = runtime;
        Id = id;
        Spec = spec;
    }

    public string Id { get; }
    public ContainerSpec Spec { get; }
    public string Name => Spec.Name;
    public ContainerRunState State { get => (ContainerRunState)_state; internal set => _state = (int)value; }
    public int? HostPort { get; private set; }
    public int? ExitCode { get; private set; }
    public bool OomKilled { get; private set; }
    public string? Error { get; internal set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    /// <summary>False: connections are closed at once, as when nothing listens in the container.</summary>
    public volatile bool Answering = true;
    /// <summary>False: health paths answer 503.</summary>
    public volatile bool Healthy = true;
    /// <summary>Requests served (health checks not counted).</summary>
    public int Requests => Volatile.Read(ref RequestCount);
    public IReadOnlyList<LogLine> Lines => [.. _lines];
    internal Task Ended => _ended.Task;

    public string? Label(string key) => Spec.Labels.TryGetValue(key, out var v) ? v : null;

    public void Log(string text) => _lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, LogStream.Stdout, text));

    internal ContainerInfo Info() => new()
    {
        Id = Id,
        Name = Name,
        Image = Spec.Image,
        Labels = Spec.Labels,
        State = State,
        ExitCode = ExitCode,
        OomKilled = OomKilled,
        HostPort = State is ContainerRunState.Running or ContainerRunState.Paused ? HostPort : null,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Error = Error,
    };

    internal async Task StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            // Not answering: close at once, what a published port with nothing behind it does.
            if (!Answering || State == ContainerRunState.Paused)
            {
                connection.Abort();
                return Task.CompletedTask;
            }
            return next(connection);
        })));
        var app = builder.Build();
        app.Run(context => _runtime.HandleAsync(this, context));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        HostPort = new Uri(address).Port;
        _server = app;
        StartedAt = DateTimeOffset.UtcNow;
        ExitCode = null;
        Error = null;
        State = ContainerRunState.Running;
        Log($"fake: listening on 127.0.0.1:{HostPort}");
    }

    internal async Task StopServerAsync()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is null) return;
        try
        {
            await server.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal void Finish(int exitCode, bool oomKilled)
    {
        ExitCode = exitCode;
        OomKilled = oomKilled;
        FinishedAt = DateTimeOffset.UtcNow;
        State = ContainerRunState.Exited;
        _ended.TrySetResult();
    }
}
