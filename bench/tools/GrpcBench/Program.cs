// bench/grpc.sh's client: unary helloworld.Greeter/SayHello calls over one HTTP/2 cleartext connection.
//
//   GrpcBench unary URL SECONDS [AUTHORITY]   calls one after another for SECONDS; prints "calls N rps R p50_us P p99_us Q errors E"
//   GrpcBench first URL [AUTHORITY]           one call, retried on UNAVAILABLE for 120 s; prints "first_ms M"
//
// URL is http://127.0.0.1:PORT; AUTHORITY (e.g. greeter.localhost:8081) is sent as :authority when given.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Kinlet.TestGrpc;

if (args.Length < 2) return Usage();
var mode = args[0];
var target = new Uri(args[1]);
var authority = mode == "unary" ? (args.Length > 3 ? args[3] : null) : (args.Length > 2 ? args[2] : null);
var address = authority is null ? target : new Uri($"http://{authority}");
var handler = new SocketsHttpHandler
{
    UseProxy = false,
    // Every connection goes to URL's address; the address above only names the :authority.
    ConnectCallback = async (_, ct) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(target.Host), target.Port), ct);
        return new NetworkStream(socket, ownsSocket: true);
    },
};
using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
var client = new Greeter.GreeterClient(channel);
var request = new HelloRequest { Name = "bench" };

if (mode == "first")
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            await client.SayHelloAsync(request, deadline: DateTime.UtcNow.AddSeconds(120));
            Console.WriteLine($"first_ms {clock.Elapsed.TotalMilliseconds:0.0}");
            return 0;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(50);
        }
    }
}
if (mode != "unary" || !int.TryParse(args[2], out var seconds)) return Usage();

var latencies = new List<long>(1 << 16);
var errors = 0;
var run = Stopwatch.StartNew();
var end = TimeSpan.FromSeconds(seconds);
while (run.Elapsed < end)
{
    var start = Stopwatch.GetTimestamp();
    try
    {
        await client.SayHelloAsync(request);
        latencies.Add(Stopwatch.GetTimestamp() - start);
    }
    catch (RpcException)
    {
        errors++;
    }
}
var elapsed = run.Elapsed.TotalSeconds;
latencies.Sort();
double Us(double q) => latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)] * 1e6 / Stopwatch.Frequency;
Console.WriteLine($"calls {latencies.Count} rps {latencies.Count / elapsed:0} p50_us {Us(0.5):0} p99_us {Us(0.99):0} errors {errors}");
return 0;

static int Usage()
{
    Console.Error.WriteLine("usage: GrpcBench unary URL SECONDS [AUTHORITY] | GrpcBench first URL [AUTHORITY]");
    return 2;
}
