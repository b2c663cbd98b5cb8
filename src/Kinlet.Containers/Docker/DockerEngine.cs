using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Logging;

namespace Kinlet.Containers.Docker;

/// <summary>
/// The shared client and the one way to call it: every call bounded by a timeout, and the engine's
/// failures translated to the port's exceptions (unreachable or stuck → <see cref="EngineUnavailableException"/>,
/// a refusal → <see cref="ContainerEngineException"/>).
/// </summary>
internal sealed class DockerEngine
{
    // One client per endpoint for the whole process (testcontainers does the same): it owns a connection
    // pool, and creating one per runtime or per call leaks sockets. Never disposed: it lives as long as the process.
    private static readonly ConcurrentDictionary<Uri, Lazy<DockerClient>> Clients = new();

    public DockerEngine(DockerRuntimeOptions options, ILogger logger, TimeProvider time)
    {
        Options = options;
        Logger = logger;
        Time = time;
        Endpoint = options.EndpointUri();
        Client = Clients.GetOrAdd(Endpoint, static uri => new Lazy<DockerClient>(() =>
            // The client's own timeout would also cut long-lived streams (events, pulls): calls are bounded one by one instead.
            new DockerClientConfiguration(uri, defaultTimeout: Timeout.InfiniteTimeSpan).CreateClient())).Value;
    }

    public DockerClient Client { get; }
    public DockerRuntimeOptions Options { get; }
    public ILogger Logger { get; }
    public TimeProvider Time { get; }
    public Uri Endpoint { get; }

    public Task CallAsync(string operation, Func<DockerClient, CancellationToken, Task> call, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(operation, async (client, ct) =>
        {
            await call(client, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken, timeout);

    /// <summary>Runs one engine call under <paramref name="timeout"/> (default: the call timeout).</summary>
    /// <remarks>
    /// Docker.DotNet answers a cancelled stream by closing it, which surfaces as anything from a clean return to an
    /// <see cref="IOException"/>; so cancellation and timeout are told apart by which token fired, not by exception type.
    /// A timeout becomes <see cref="EngineUnavailableException"/> whose inner exception is a <see cref="TimeoutException"/>.
    /// </remarks>
    public Task<T> CallAsync<T>(string operation, Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallBoundedAsync(operation, call, cancellationToken, timeout).OnThreadPool();

    private async Task<T> CallBoundedAsync<T>(string operation, Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        var limit = timeout ?? Options.CallTimeout;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        T result;
        try
        {
            result = await call(Client, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException($"{operation} was cancelled", e, cancellationToken);
        }
        catch (Exception e) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(operation, limit, e);
        }
        catch (DockerApiException e)
        {
            throw new ContainerEngineException(operation, EngineMessage(e), (int)e.StatusCode, e);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TimeoutException)
        {
            DockerLog.Unreachable(Logger, Endpoint, operation, e.Message);
            throw new EngineUnavailableException($"the container engine at {Endpoint} is not reachable: {e.Message}", e);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (bounded.IsCancellationRequested) throw TimedOut(operation, limit, null);
        return result;
    }

    private EngineUnavailableException TimedOut(string operation, TimeSpan limit, Exception? inner)
    {
        DockerLog.CallTimedOut(Logger, operation, limit.TotalSeconds);
        var message = $"the container engine did not answer {operation} within {limit.TotalSeconds:0.#} s";
        return new EngineUnavailableException(message, new TimeoutException(message, inner));
    }

    /// <summary>The engine's own words: its error bodies are <c>{"message": "..."}</c>.</summary>
    public static string EngineMessage(DockerApiException e)
    {
        var body = e.ResponseBody?.Trim() ?? "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("message", out var m)
                && m.ValueKind == JsonValueKind.String
                && m.GetString() is { Length: > 0 } text)
                return text;
        }
        catch (JsonException)
        {
        }
        return body.Length > 0 ? body : e.Message;
    }
}
