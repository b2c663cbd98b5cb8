using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Kinlet.Containers;
using Kinlet.Containers.Docker;
using Kinlet.Core.Model;

namespace Kinlet.IntegrationTests.Infrastructure;

/// <summary>
/// A real kinletd process on free ports with its own state dir, driven over HTTP and through the
/// real kinlet CLI. Disposing kills it and removes every container it made (by its daemon label).
/// </summary>
public sealed class KinletDaemon : IAsyncDisposable
{
    private static readonly string BinDir = AppContext.BaseDirectory;
    private readonly StringBuilder _log = new();
    private readonly bool _ownsStateDir;
    private Process? _process;

    private KinletDaemon(string stateDir, bool ownsStateDir, int apiPort, int ingressPort, int h2cPort, string[] extraArgs)
    {
        H2cPort = h2cPort;
        StateDir = stateDir;
        _ownsStateDir = ownsStateDir;
        ApiPort = apiPort;
        IngressPort = ingressPort;
        ExtraArgs = extraArgs;
        Api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromMinutes(3) };
        Ingress = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };
    }

    public string StateDir { get; }
    public int ApiPort { get; }
    public int IngressPort { get; }

    /// <summary>The HTTP/2 cleartext (prior knowledge) ingress: gRPC clients connect here.</summary>
    public int H2cPort { get; }
    public string[] ExtraArgs { get; }
    public HttpClient Api { get; }
    public HttpClient Ingress { get; }
    public string Token { get; private set; } = "";
    public string DaemonId { get; private set; } = "";
    public string ApiUrl => $"http://127.0.0.1:{ApiPort}";

    public string Logs
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Default test settings: a fast resync so tests do not wait on Knative's 2 s tick.</summary>
    public static readonly string[] FastSettings = ["--Kinlet:Serving:ResyncInterval", "00:00:00.500"];

    public static async Task<KinletDaemon> StartAsync(string? stateDir = null, params string[] extraArgs)
    {
        await Engine.EnsureReachableAsync();
        var owns = stateDir is null;
        stateDir ??= Path.Combine(Path.GetTempPath(), "kinlet-it-" + Guid.NewGuid().ToString("N")[..10]);
        var daemon = new KinletDaemon(stateDir, owns, FreePort.Next(), FreePort.Next(), FreePort.Next(), extraArgs);
        await daemon.StartProcessAsync();
        return daemon;
    }

    /// <summary>A second daemon on the same state dir (and ports), after this one was killed.</summary>
    public async Task RestartAsync()
    {
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(BinDir, "kinletd.dll"));
        foreach (var a in new[] { "--state-dir", StateDir, "--api-port", ApiPort.ToString(), "--ingress-port", IngressPort.ToString(), "--ingress-h2c-port", H2cPort.ToString() })
            psi.ArgumentList.Add(a);
        foreach (var a in FastSettings.Concat(ExtraArgs)) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start kinletd");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"kinletd exited with {_process.ExitCode}:\n{Logs}");
            try
            {
                using var r = await Api.GetAsync("/readyz");
                if (r.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("kinletd did not become ready:\n" + Logs);
            await Task.Delay(100);
        }
        Token = (await File.ReadAllTextAsync(Path.Combine(StateDir, "token"))).Trim();
        DaemonId = (await File.ReadAllTextAsync(Path.Combine(StateDir, "daemon-id"))).Trim();
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>kill -9: no shutdown path runs.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs the real CLI against this daemon; it finds the token in the state dir by itself.</summary>
    public Task<ProcessResult> CliAsync(params string[] args) => CliWithInputAsync(null, args);

    public Task<ProcessResult> CliWithInputAsync(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(BinDir, "kinlet.dll"), .. args], new Dictionary<string, string>
        {
            ["KINLET_API"] = ApiUrl,
            ["KINLET_STATE_DIR"] = StateDir,
            ["KINLET_TOKEN"] = "",
            ["NO_COLOR"] = "1",
        }, TimeSpan.FromMinutes(4), stdin);

    /// <summary>A request through the ingress with the service's Host header.</summary>
    public async Task<(int Status, string Body)> GetAsync(string host, string path = "/", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{IngressPort}{path}");
        request.Headers.Host = host.Contains(':') ? host : $"{host}:{IngressPort}";
        using var response = await Ingress.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Any request through the ingress to <paramref name="service"/>, with extra headers; the caller owns the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string service, string path, HttpContent? content = null,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{IngressPort}{path}") { Content = content };
        request.Headers.Host = Host(service);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await Ingress.SendAsync(request);
    }

    public string Host(string service) => $"{service}.localhost:{IngressPort}";

    /// <summary>This daemon's containers on the engine (any state).</summary>
    public Task<IReadOnlyList<ContainerInfo>> ContainersAsync(string? service = null)
    {
        var labels = new Dictionary<string, string> { [KnownKeys.ContainerDaemon] = DaemonId };
        if (service is not null) labels[KnownKeys.ContainerService] = service;
        return Engine.Runtime.ListAsync(labels, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (DaemonId.Length > 0)
        {
            foreach (var c in await ContainersAsync())
                await Engine.Runtime.RemoveAsync(c.Id, CancellationToken.None);
        }
        Api.Dispose();
        Ingress.Dispose();
        if (_ownsStateDir)
        {
            try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>The real engine. Tests never skip when it is missing: they fail, loudly.</summary>
public static class Engine
{
    public static readonly IContainerRuntime Runtime = DockerContainerRuntime.Create(new DockerRuntimeOptions());

    public static async Task EnsureReachableAsync()
    {
        try
        {
            await Runtime.PingAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException("The Docker engine is not reachable; integration tests need it (run ./test.sh, which starts it): " + e.Message, e);
        }
    }
}
