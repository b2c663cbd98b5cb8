// tests/images/grpcfn: the integration tests' gRPC function (kinlet.local/grpcfn:latest). It speaks only
// HTTP/2 cleartext (prior knowledge) on $PORT, the way a Knative revision with a port named h2c does.

using Grpc.Core;
using Kinlet.TestGrpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8080;
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(port, o => o.Protocols = HttpProtocols.Http2));
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<GreeterService>();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"listening on {port} (h2c)"));
await app.RunAsync();

internal sealed class GreeterService : Greeter.GreeterBase
{
    private static readonly string Instance = Environment.MachineName;

    public override async Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0) await Task.Delay(request.DelayMs, context.CancellationToken);
        if (request.Name == "fail") throw new RpcException(new Status(StatusCode.FailedPrecondition, "told to fail"));
        context.ResponseTrailers.Add("x-served-by", Instance);
        return Reply("Hello " + request.Name, context);
    }

    public override async Task SayHelloStreamReply(HelloRequest request, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            if (i > 0 && request.DelayMs > 0) await Task.Delay(request.DelayMs, context.CancellationToken);
            await responseStream.WriteAsync(Reply($"Hello {request.Name} {i}", context), context.CancellationToken);
        }
        context.ResponseTrailers.Add("x-served-by", Instance);
    }

    public override async Task<HelloReply> SayHelloClientStream(IAsyncStreamReader<HelloRequest> requestStream, ServerCallContext context)
    {
        var names = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken)) names.Add(request.Name);
        context.ResponseTrailers.Add("x-served-by", Instance);
        return Reply("Hello " + string.Join(", ", names), context);
    }

    public override async Task SayHelloBidi(IAsyncStreamReader<HelloRequest> requestStream, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(Reply("Hello " + request.Name, context), context.CancellationToken);
        context.ResponseTrailers.Add("x-served-by", Instance);
    }

    private static HelloReply Reply(string message, ServerCallContext context) => new()
    {
        Message = message,
        Instance = Instance,
        // Not in RequestHeaders: gRPC keeps its own grpc-* headers out of the metadata.
        GrpcTimeout = context.GetHttpContext().Request.Headers["grpc-timeout"].ToString(),
    };
}
