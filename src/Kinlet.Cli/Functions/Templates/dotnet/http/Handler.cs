/// <summary>Called for every request: edit this.</summary>
public static class Handler
{
    public static Task<IResult> HandleAsync(HttpRequest request)
    {
        var name = request.Query["name"].FirstOrDefault() ?? "World";
        return Task.FromResult(Results.Text($"Hello, {name}!\n"));
    }
}
