using CloudNative.CloudEvents;

/// <summary>Called with every event: edit this. Return a CloudEvent to reply (a broker takes it back in), or null.</summary>
public static class Handler
{
    public static Task<CloudEvent?> HandleAsync(CloudEvent received, ILogger logger)
    {
        logger.LogInformation("Received {Type} {Id} from {Source}", received.Type, received.Id, received.Source);
        var reply = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = "com.example.reply",
            Source = new Uri("/{{name}}", UriKind.Relative),
            DataContentType = "application/json",
            Data = new { received = received.Id, type = received.Type },
        };
        return Task.FromResult<CloudEvent?>(reply);
    }
}
