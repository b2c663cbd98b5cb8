// bench/tools/ScaleBench: the serverless figures of bench/scale.sh, measured in-process so that no
// curl or shell start-up lands inside a timing. Not part of Runtime.sln or the tests.
//
//   ScaleBench coldstart --docker-host URI --daemon-id ID --ingress-port P --api-port A --token-file F
//                        --revision R --host H --image I --rounds N --run-label L --out DIR
//   ScaleBench wake      --docker-host URI --daemon-id ID --ingress-port P --api-port A --token-file F
//                        --revision R --host H --image I --rounds N --run-label L --out DIR
//   ScaleBench step      --docker-host URI --daemon-id ID --ingress-port P --api-port A --token-file F
//                        --revision R --host H --clients C --seconds S --expect E --path /sleep?ms=100 --out DIR
//                        [--clients2 C2 --expect2 E2]
//
// coldstart alternates two measurements, round by round, so drift on the machine hits both alike:
//   floor:  the Engine API directly: create (PORT=8080, TARGET=World, 8080 published on 127.0.0.1 on
//           a random host port) + start + inspect, then GET / every 5 ms until a 200; then remove.
//   kinlet: once the revision has no container left (and the API reports 0 ready), one GET through
//           kinletd's ingress (on a new connection) until its 200.
// wake measures frozen standby (the revision has kinlet.dev/standby: frozen), alternating two measurements:
//   floor:  a container of the same image, paused: the Engine API unpause, then GET / every 1 ms until a 200.
//   kinlet: once the revision is at zero with its one container paused, one GET through kinletd's
//           ingress (on a new connection) until its 200.
// step waits for the revision at zero, starts C client loops at once and follows, every 100 ms, the
// revision's ready/desired instances (control API) and its running containers (engine). With
// --clients2, after S seconds C2 − C more loops join (the step C → C2) and all run S seconds more; the
// figures of each step come from its own samples and the requests that started during it.
// Both print key=value summary lines on stdout, progress on stderr, and raw TSV into DIR. Exit code:
// 0 when measured (slow or failed step requests included: those are figures), 1 when something
// broke (engine, API, a cold request that did not answer 200, a bound exceeded), 2 for bad usage.
// Talks only to 127.0.0.1 and the local engine socket.

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

Options opts;
try
{
    opts = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("ScaleBench: " + e.Message);
    return 2;
}

using var docker = new DockerClientConfiguration(new Uri(opts.DockerHost)).CreateClient();
using var handler = new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    MaxConnectionsPerServer = Math.Max(1000, opts.Clients * 4),
    PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    ConnectTimeout = TimeSpan.FromSeconds(10),
};
using var http = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(120) };
var token = opts.TokenFile.Length > 0 ? (await File.ReadAllTextAsync(opts.TokenFile)).Trim() : "";
Directory.CreateDirectory(opts.Out);

try
{
    return opts.Mode switch
    {
        "coldstart" => await ColdStartAsync(),
        "step" => await StepAsync(),
        "wake" => await WakeAsync(),
        _ => throw new InvalidOperationException("unreachable"),
    };
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"ScaleBench {opts.Mode}: {e.GetType().Name}: {e.Message}");
    return 1;
}

// ---------------------------------------------------------------------------------------------
// Cold start
// ---------------------------------------------------------------------------------------------

async Task<int> ColdStartAsync()
{
    var floor = new List<double>();
    var kinlet = new List<double>();
    await using var raw = new StreamWriter(Path.Combine(opts.Out, "coldstart.tsv"));
    await raw.WriteLineAsync("round\tfloor_ms\tfloor_create_ms\tfloor_start_ms\tfloor_inspect_ms\tfloor_polls\tkinlet_ms\tkinlet_zero_wait_ms");
    // Start from a revision at zero: the deploy's first instance is gone and the machine has
    // settled after it (kinletd's start-up, the instance's start) before round 1's floor.
    var settle = Stopwatch.StartNew();
    await WaitForZeroAsync(TimeSpan.FromSeconds(opts.ZeroTimeoutSeconds));
    Console.Error.WriteLine(Inv($"  {opts.Revision} at zero after {settle.Elapsed.TotalSeconds:0.0} s"));
    for (var round = 1; round <= opts.Rounds; round++)
    {
        // A quiet second before each measurement: the engine finishes the last removal's teardown
        // (network namespace, docker-proxy) in the background, and it should land on neither side.
        await Task.Delay(1000);
        var f = await FloorOnceAsync();
        var zeroClock = Stopwatch.StartNew();
        await WaitForZeroAsync(TimeSpan.FromSeconds(opts.ZeroTimeoutSeconds));
        var zeroWait = zeroClock.Elapsed.TotalMilliseconds;
        await Task.Delay(1000);
        var k = await KinletOnceAsync();
        floor.Add(f.TotalMs);
        kinlet.Add(k);
        await raw.WriteLineAsync(Inv($"{round}\t{f.TotalMs:0.0}\t{f.CreateMs:0.0}\t{f.StartMs:0.0}\t{f.InspectMs:0.0}\t{f.Polls}\t{k:0.0}\t{zeroWait:0}"));
        await raw.FlushAsync();
        Console.Error.WriteLine(Inv($"  round {round}/{opts.Rounds}: floor {f.TotalMs:0} ms (create {f.CreateMs:0}, start {f.StartMs:0}), kinlet {k:0} ms (zero after {zeroWait / 1000:0.0} s)"));
    }
    Console.WriteLine(Inv($"floor_p50={P(floor, 50):0.0} floor_p95={P(floor, 95):0.0} floor_min={floor.Min():0.0} floor_max={floor.Max():0.0}"));
    Console.WriteLine(Inv($"kinlet_p50={P(kinlet, 50):0.0} kinlet_p95={P(kinlet, 95):0.0} kinlet_min={kinlet.Min():0.0} kinlet_max={kinlet.Max():0.0}"));
    Console.WriteLine(Inv($"ratio_p50={P(kinlet, 50) / P(floor, 50):0.00} ratio_p95={P(kinlet, 95) / P(floor, 95):0.00} rounds={opts.Rounds}"));
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Wake from frozen standby
// ---------------------------------------------------------------------------------------------

async Task<int> WakeAsync()
{
    var floor = new List<double>();
    var kinlet = new List<double>();
    var frozenMemory = double.NaN;
    await using var raw = new StreamWriter(Path.Combine(opts.Out, "wake.tsv"));
    await raw.WriteLineAsync("round\tfloor_ms\tkinlet_ms\tfrozen_wait_ms");
    var created = await CreateFloorContainerAsync();
    try
    {
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var inspect = await docker.Containers.InspectContainerAsync(created.ID);
        var url = $"http://127.0.0.1:{inspect.NetworkSettings.Ports["8080/tcp"][0].HostPort}/";
        await UntilOkAsync(url, 1, TimeSpan.FromSeconds(60)); // started and warm, as the kinlet instance was before it froze
        await docker.Containers.PauseContainerAsync(created.ID);
        for (var round = 1; round <= opts.Rounds; round++)
        {
            await Task.Delay(1000);
            var clock = Stopwatch.StartNew();
            await docker.Containers.UnpauseContainerAsync(created.ID);
            await UntilOkAsync(url, 1, TimeSpan.FromSeconds(10));
            var f = clock.Elapsed.TotalMilliseconds;
            await docker.Containers.PauseContainerAsync(created.ID);

            var frozenClock = Stopwatch.StartNew();
            var frozenId = await WaitForFrozenAsync(TimeSpan.FromSeconds(opts.ZeroTimeoutSeconds));
            var frozenWait = frozenClock.Elapsed.TotalMilliseconds;
            if (round == 1) frozenMemory = await MemoryMiBAsync(frozenId);
            await Task.Delay(1000);
            var k = await KinletOnceAsync();
            floor.Add(f);
            kinlet.Add(k);
            await raw.WriteLineAsync(Inv($"{round}\t{f:0.0}\t{k:0.0}\t{frozenWait:0}"));
            await raw.FlushAsync();
            Console.Error.WriteLine(Inv($"  round {round}/{opts.Rounds}: floor (unpause + first 200) {f:0.0} ms, kinlet {k:0.0} ms (frozen after {frozenWait / 1000:0.0} s)"));
        }
    }
    finally
    {
        await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
    }
    Console.WriteLine(Inv($"wake_floor_p50={P(floor, 50):0.0} wake_floor_p95={P(floor, 95):0.0} wake_floor_min={floor.Min():0.0} wake_floor_max={floor.Max():0.0}"));
    Console.WriteLine(Inv($"wake_p50={P(kinlet, 50):0.0} wake_p95={P(kinlet, 95):0.0} wake_min={kinlet.Min():0.0} wake_max={kinlet.Max():0.0} rounds={opts.Rounds}"));
    Console.WriteLine(Inv($"frozen_memory_mib={frozenMemory:0.0}"));
    return 0;
}

// The container's memory as `docker stats` shows it (usage minus page cache), in MiB.
async Task<double> MemoryMiBAsync(string id)
{
    ContainerStatsResponse? stats = null;
    await docker.Containers.GetContainerStatsAsync(id, new ContainerStatsParameters { Stream = false },
        new Progress<ContainerStatsResponse>(r => stats = r));
    for (var i = 0; i < 50 && stats is null; i++) await Task.Delay(20); // Progress<T> reports on the thread pool
    if (stats?.MemoryStats is not { } m) return double.NaN;
    var cache = m.Stats is { } st && (st.TryGetValue("total_inactive_file", out var c) || st.TryGetValue("inactive_file", out c) || st.TryGetValue("cache", out c)) ? c : 0UL;
    return (m.Usage - Math.Min(cache, m.Usage)) / 1024.0 / 1024.0;
}

async Task UntilOkAsync(string url, int pollMs, TimeSpan bound)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            using var response = await http.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK) return;
        }
        catch (HttpRequestException)
        {
        }
        if (clock.Elapsed > bound) throw new TimeoutException($"{url} did not answer 200 within {bound.TotalSeconds:0} s");
        await Task.Delay(pollMs);
    }
}

// The revision at zero (0 ready) with its one container paused: frozen standby in place.
async Task<string> WaitForFrozenAsync(TimeSpan bound)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        var list = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"dev.kinlet.revision={opts.Revision}"] = true, [$"dev.kinlet.daemon={opts.DaemonId}"] = true },
            },
        });
        var (ready, _) = await RevisionCountsAsync();
        if (ready == 0 && list.Count == 1 && list[0].State == "paused") return list[0].ID;
        if (clock.Elapsed > bound)
            throw new TimeoutException(Inv($"{opts.Revision} was not frozen at zero within {bound.TotalSeconds:0} s ({list.Count} containers, ready {ready}): is kinlet.dev/standby: frozen set?"));
        await Task.Delay(200);
    }
}

// A container of the image as the floor runs it: PORT=8080, TARGET=World, 8080 published on 127.0.0.1 at a free port.
Task<CreateContainerResponse> CreateFloorContainerAsync() => docker.Containers.CreateContainerAsync(new CreateContainerParameters
{
    Image = opts.Image,
    Env = ["PORT=8080", "TARGET=World"],
    ExposedPorts = new Dictionary<string, EmptyStruct> { ["8080/tcp"] = default },
    Labels = new Dictionary<string, string> { ["dev.kinlet.bench"] = opts.RunLabel },
    HostConfig = new HostConfig
    {
        PortBindings = new Dictionary<string, IList<PortBinding>> { ["8080/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
    },
});

async Task<FloorSample> FloorOnceAsync()
{
    var clock = Stopwatch.StartNew();
    var created = await CreateFloorContainerAsync();
    try
    {
        var createMs = clock.Elapsed.TotalMilliseconds;
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var startMs = clock.Elapsed.TotalMilliseconds - createMs;
        var inspect = await docker.Containers.InspectContainerAsync(created.ID);
        var inspectMs = clock.Elapsed.TotalMilliseconds - createMs - startMs;
        if (inspect.NetworkSettings?.Ports is not { } ports || !ports.TryGetValue("8080/tcp", out var bindings)
            || bindings is null || bindings.Count == 0)
        {
            throw new InvalidOperationException($"the floor container {created.ID[..12]} publishes no host port for 8080/tcp");
        }
        var url = $"http://127.0.0.1:{bindings[0].HostPort}/";
        var polls = 0;
        while (true)
        {
            polls++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var total = clock.Elapsed.TotalMilliseconds;
                    if (body.Trim() != "Hello World!") throw new InvalidOperationException($"the floor container answered '{body.Trim()}'");
                    return new FloorSample(total, createMs, startMs, inspectMs, polls);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet (docker-proxy accepts, then closes): poll again.
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the floor container did not answer 200 within 60 s");
            await Task.Delay(5);
        }
    }
    finally
    {
        await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
    }
}

async Task<double> KinletOnceAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{opts.IngressPort}/");
    request.Headers.Host = opts.Host;
    // A new connection each round, as the floor has: no kept-alive socket from the last round.
    request.Headers.ConnectionClose = true;
    var clock = Stopwatch.StartNew();
    using var response = await http.SendAsync(request);
    var body = await response.Content.ReadAsStringAsync();
    var ms = clock.Elapsed.TotalMilliseconds;
    if (response.StatusCode != HttpStatusCode.OK)
    {
        throw new InvalidOperationException($"the request to {opts.Revision} at zero answered {(int)response.StatusCode}: {Trunc(body)}");
    }
    if (body.Trim() != "Hello World!") throw new InvalidOperationException($"{opts.Revision} answered '{Trunc(body)}'");
    return ms;
}

// ---------------------------------------------------------------------------------------------
// Step load
// ---------------------------------------------------------------------------------------------

async Task<int> StepAsync()
{
    var zeroClock = Stopwatch.StartNew();
    await WaitForZeroAsync(TimeSpan.FromSeconds(opts.ZeroTimeoutSeconds));
    Console.Error.WriteLine(Inv($"  {opts.Revision} at zero after {zeroClock.Elapsed.TotalSeconds:0.0} s; {opts.Clients} clients for {opts.Seconds} s"));
    await Task.Delay(1000);

    var duration = TimeSpan.FromSeconds(opts.Seconds);
    var second = opts.Clients2 > opts.Clients;
    var end = second ? duration * 2 : duration;
    var url = $"http://127.0.0.1:{opts.IngressPort}{opts.Path}";
    long completed = 0, errors = 0, inFlight = 0;
    var errorKinds = new Dictionary<string, int>(StringComparer.Ordinal);
    var errorStarts = new List<double>();
    var clock = Stopwatch.StartNew();
    Task<List<(double Start, double Ms)>> Client(TimeSpan from) => Task.Run(async () =>
    {
        var mine = new List<(double Start, double Ms)>();
        var wait = from - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        while (clock.Elapsed < end)
        {
            var start = clock.Elapsed.TotalMilliseconds;
            string? error = null;
            Interlocked.Increment(ref inFlight);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Host = opts.Host;
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode) error = $"HTTP {(int)response.StatusCode}: {Trunc(body)}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
            var ms = clock.Elapsed.TotalMilliseconds - start;
            Interlocked.Increment(ref completed);
            if (error is null)
            {
                mine.Add((start, ms));
            }
            else
            {
                Interlocked.Increment(ref errors);
                lock (errorKinds)
                {
                    errorKinds[error] = errorKinds.GetValueOrDefault(error) + 1;
                    errorStarts.Add(start);
                }
            }
        }
        return mine;
    });
    var clients = Enumerable.Range(0, opts.Clients).Select(_ => Client(TimeSpan.Zero))
        .Concat(Enumerable.Range(0, second ? opts.Clients2 - opts.Clients : 0).Select(_ => Client(duration)))
        .ToArray();
    var all = Task.WhenAll(clients);

    // The sampler: every 100 ms, the revision's counts from the API and its containers from the engine.
    var samples = new List<StepSample>();
    using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100)))
    {
        var apiFailures = 0;
        do
        {
            var t = clock.Elapsed.TotalMilliseconds;
            var countsTask = RevisionCountsAsync();
            var containersTask = RunningAsync();
            (int Ready, int Desired) counts;
            try
            {
                counts = await countsTask;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException)
            {
                if (++apiFailures > 20) throw;
                counts = (-1, -1);
            }
            var containers = await containersTask;
            samples.Add(new StepSample(t, counts.Ready, counts.Desired, containers,
                Interlocked.Read(ref completed), Interlocked.Read(ref errors), Interlocked.Read(ref inFlight)));
        }
        while (!all.IsCompleted && await timer.WaitForNextTickAsync());
    }
    var results = await all;
    var loadMs = clock.Elapsed.TotalMilliseconds;

    await using (var raw = new StreamWriter(Path.Combine(opts.Out, "step.tsv")))
    {
        await raw.WriteLineAsync("t_ms\tready\tdesired\tcontainers\tcompleted\terrors\tin_flight");
        foreach (var s in samples)
        {
            await raw.WriteLineAsync(Inv($"{s.TMs:0}\t{s.Ready}\t{s.Desired}\t{s.Containers}\t{s.Completed}\t{s.Errors}\t{s.InFlight}"));
        }
    }
    await using (var raw = new StreamWriter(Path.Combine(opts.Out, "step-requests.tsv")))
    {
        await raw.WriteLineAsync("start_ms\tms");
        foreach (var (start, ms) in results.SelectMany(r => r).OrderBy(r => r.Start))
        {
            await raw.WriteLineAsync(Inv($"{start:0.0}\t{ms:0.0}"));
        }
    }
    await using (var raw = new StreamWriter(Path.Combine(opts.Out, "step-errors.txt")))
    {
        foreach (var (kind, n) in errorKinds.OrderByDescending(e => e.Value)) await raw.WriteLineAsync($"{n}\t{kind}");
    }

    // The steady desired count: what the autoscaler wanted in the second half of the load (the
    // median of those samples; the start-up burst leaving the stable window can move the last one by
    // one instance). "Reached": the first sample at which the ready instances equal the desired
    // count while that count is at least the steady one.
    var during = samples.Where(s => s.TMs < duration.TotalMilliseconds && s.Desired >= 0).ToList();
    var late = during.Where(s => s.TMs >= duration.TotalMilliseconds / 2).Select(s => s.Desired).Order().ToList();
    var steady = late.Count > 0 ? late[(late.Count - 1) / 2] : during.Count > 0 ? during[^1].Desired : 0;
    var finalDesired = during.Count > 0 ? during[^1].Desired : 0;
    // With a second step, the first step's figures come from its own samples only.
    var phase1 = second ? samples.Where(s => s.TMs < duration.TotalMilliseconds).ToList() : samples;
    var reached = steady > 0 ? phase1.FirstOrDefault(s => s.Desired >= steady && s.Ready >= s.Desired) : null;
    var reachedExpect = phase1.FirstOrDefault(s => s.Ready >= opts.Expect);
    var firstReady = phase1.FirstOrDefault(s => s.Ready >= 1);
    var firstContainer = phase1.FirstOrDefault(s => s.Containers >= 1);
    var answered = results.SelectMany(r => r).Where(r => r.Start < duration.TotalMilliseconds).ToList();
    var latencies = answered.Select(r => r.Ms).ToList();
    var errors1 = errorStarts.Count(t => t < duration.TotalMilliseconds);
    var firstAnswer = answered.Count > 0 ? answered.Min(r => r.Start + r.Ms).ToString("0", CultureInfo.InvariantCulture) : "never";
    Console.WriteLine(Inv($"reached_ms={Ms(reached)} steady_desired={steady} final_desired={finalDesired} expect={opts.Expect} reached_expect_ms={Ms(reachedExpect)} first_ready_ms={Ms(firstReady)} first_container_ms={Ms(firstContainer)} first_answer_ms={firstAnswer}"));
    Console.WriteLine(Inv($"peak_desired={phase1.Max(s => s.Desired)} peak_ready={phase1.Max(s => s.Ready)} peak_containers={phase1.Max(s => s.Containers)} samples={samples.Count} sample_gap_max_ms={MaxGap(samples):0}"));
    var phase1Ms = second ? duration.TotalMilliseconds : loadMs;
    Console.WriteLine(Inv($"requests={latencies.Count + errors1} ok={latencies.Count} errors={errors1} rps={(latencies.Count + errors1) / (phase1Ms / 1000):0.0} p50_ms={P(latencies, 50):0.0} p95_ms={P(latencies, 95):0.0} max_ms={(latencies.Count > 0 ? latencies.Max() : double.NaN):0.0} clients={opts.Clients} seconds={opts.Seconds} load_ms={loadMs:0}"));
    if (second) PrintSecondStep(samples, results, errorStarts, duration.TotalMilliseconds, end.TotalMilliseconds);
    return 0;

    static string Ms(StepSample? s) => s is null ? "never" : s.TMs.ToString("0", CultureInfo.InvariantCulture);
    static double MaxGap(List<StepSample> s) => s.Count < 2 ? 0 : s.Zip(s.Skip(1), (a, b) => b.TMs - a.TMs).Max();
}

// The step C → C2: its samples (from the moment the new loops joined) and the requests that started
// during it; times are from that moment. Steady: the median desired count of its second half.
void PrintSecondStep(List<StepSample> samples, List<(double Start, double Ms)>[] results, List<double> errorStarts, double from, double to)
{
    var during = samples.Where(s => s.TMs >= from && s.TMs < to && s.Desired >= 0).ToList();
    var late = during.Where(s => s.TMs >= (from + to) / 2).Select(s => s.Desired).Order().ToList();
    var steady = late.Count > 0 ? late[(late.Count - 1) / 2] : during.Count > 0 ? during[^1].Desired : 0;
    var reached = steady > 0 ? during.FirstOrDefault(s => s.Desired >= steady && s.Ready >= s.Desired) : null;
    var reachedExpect = during.FirstOrDefault(s => s.Ready >= opts.Expect2);
    var latencies = results.SelectMany(r => r).Where(r => r.Start >= from).Select(r => r.Ms).ToList();
    var errors = errorStarts.Count(t => t >= from);
    string Since(StepSample? s) => s is null ? "never" : (s.TMs - from).ToString("0", CultureInfo.InvariantCulture);
    Console.WriteLine(Inv($"step2 clients2={opts.Clients2} expect2={opts.Expect2} reached2_ms={Since(reached)} steady2_desired={steady} reached2_expect_ms={Since(reachedExpect)} final2_desired={(during.Count > 0 ? during[^1].Desired : 0)}"));
    Console.WriteLine(Inv($"step2 peak2_desired={(during.Count > 0 ? during.Max(s => s.Desired) : 0)} peak2_ready={(during.Count > 0 ? during.Max(s => s.Ready) : 0)} peak2_containers={(during.Count > 0 ? during.Max(s => s.Containers) : 0)}"));
    Console.WriteLine(Inv($"step2 requests2={latencies.Count + errors} errors2={errors} rps2={(latencies.Count + errors) / ((to - from) / 1000):0.0} p50_2_ms={P(latencies, 50):0.0} p95_2_ms={P(latencies, 95):0.0} max2_ms={(latencies.Count > 0 ? latencies.Max() : double.NaN):0.0}"));
}

// ---------------------------------------------------------------------------------------------
// The revision's containers and counts
// ---------------------------------------------------------------------------------------------

// Running containers of this daemon's revision (`docker ps --filter label=... -q`).
async Task<int> RunningAsync()
{
    var list = await docker.Containers.ListContainersAsync(new ContainersListParameters
    {
        Filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool>
            {
                [$"dev.kinlet.revision={opts.Revision}"] = true,
                [$"dev.kinlet.daemon={opts.DaemonId}"] = true,
            },
        },
    });
    return list.Count;
}

async Task<(int Ready, int Desired)> RevisionCountsAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Get,
        $"http://127.0.0.1:{opts.ApiPort}/apis/serving.knative.dev/v1/namespaces/default/revisions/{opts.Revision}");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET revision {opts.Revision}: {(int)response.StatusCode} {Trunc(text)}");
    using var doc = JsonDocument.Parse(text);
    if (!doc.RootElement.TryGetProperty("status", out var status)) return (0, 0);
    return (Int(status, "actualReplicas"), Int(status, "desiredReplicas"));

    static int Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
}

// Until the revision has no running container and the API reports no ready instance.
async Task WaitForZeroAsync(TimeSpan bound)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        var containers = await RunningAsync();
        var (ready, desired) = await RevisionCountsAsync();
        if (containers == 0 && ready == 0) return;
        if (clock.Elapsed > bound)
        {
            throw new TimeoutException(Inv($"{opts.Revision} did not go to zero within {bound.TotalSeconds:0} s (containers {containers}, ready {ready}, desired {desired}): is scale to zero working?"));
        }
        await Task.Delay(200);
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// Nearest-rank percentile (with 10 samples, p95 is the largest).
static double P(List<double> values, double percentile)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToList();
    var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
}

static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

static string Trunc(string s) => s.Length <= 200 ? s.Trim() : s[..200].Trim() + "…";

sealed record FloorSample(double TotalMs, double CreateMs, double StartMs, double InspectMs, int Polls);

sealed record StepSample(double TMs, int Ready, int Desired, int Containers, long Completed, long Errors, long InFlight);

sealed record Options(string Mode, string DockerHost, string DaemonId, int IngressPort, int ApiPort, string TokenFile,
    string Revision, string Host, string Image, string RunLabel, int Rounds, int Clients, int Seconds, int Expect,
    string Path, int ZeroTimeoutSeconds, string Out, int Clients2, int Expect2)
{
    private static readonly string[] Known =
    [
        "docker-host", "daemon-id", "ingress-port", "api-port", "token-file", "revision", "host", "image", "run-label",
        "rounds", "clients", "seconds", "expect", "path", "zero-timeout", "out", "clients2", "expect2",
    ];

    public static Options Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("coldstart" or "step" or "wake"))
        {
            throw new ArgumentException("usage: ScaleBench coldstart|step|wake --name value ... (see the comment at the top of Program.cs)");
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i += 2)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (!Known.Contains(name)) throw new ArgumentException($"unknown option '{args[i]}'");
            if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value");
            map[name] = args[i + 1];
        }
        string S(string k, string? d = null) =>
            map.TryGetValue(k, out var v) ? v : d ?? throw new ArgumentException($"--{k} is required");
        int I(string k, int? d = null)
        {
            var text = S(k, d?.ToString(CultureInfo.InvariantCulture));
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"--{k} takes a positive number (got '{text}')");
        }
        var step = args[0] == "step";
        return new Options(args[0], S("docker-host", "unix:///var/run/docker.sock"), S("daemon-id"), I("ingress-port"),
            I("api-port"), S("token-file"), S("revision"), S("host"), S("image", "kinlet.local/hello:latest"),
            S("run-label", "scale-floor"), I("rounds", 10), step ? I("clients", 50) : 1, I("seconds", 20), I("expect", 8),
            S("path", "/sleep?ms=100"), I("zero-timeout", 120), S("out", "."),
            step && map.ContainsKey("clients2") ? I("clients2") : 0, step && map.ContainsKey("expect2") ? I("expect2") : 0);
    }
}
