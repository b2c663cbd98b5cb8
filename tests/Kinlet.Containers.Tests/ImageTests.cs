using Kinlet.Containers.Tests.Infrastructure;

namespace Kinlet.Containers.Tests;

public sealed class ImageTests(EngineFixture engine) : EngineTest(engine)
{
    [Fact]
    public async Task A_local_image_is_returned_without_pulling()
    {
        var progress = new Lines();

        var image = await Runtime.EnsureImageAsync(TestImage.Name, progress, CancellationToken.None).WaitAsync(Bound);

        Assert.StartsWith("sha256:", image.Id, StringComparison.Ordinal);
        Assert.Null(image.Digest); // imported, never pushed: no repo digest
        Assert.Empty(progress.All);
    }

    [Fact]
    public async Task A_missing_image_that_cannot_be_pulled_is_unavailable_quickly()
    {
        const string missing = "kinlet.local/does-not-exist:nope";
        var started = DateTime.UtcNow;

        var e = await Assert.ThrowsAsync<ImageUnavailableException>(() =>
            Runtime.EnsureImageAsync(missing, new Lines(), CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(missing, e.Image);
        Assert.StartsWith("not found locally and pull failed: ", e.Reason, StringComparison.Ordinal);
        Assert.True(e.Reason.Length > "not found locally and pull failed: ".Length, e.Reason);
        // Bounded by the pull timeout anyway; here the engine fails at once (no registry, DNS error).
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), $"took {DateTime.UtcNow - started}");
    }

    private sealed class Lines : IProgress<string>
    {
        public List<string> All { get; } = [];
        public void Report(string value) { lock (All) All.Add(value); }
    }
}
