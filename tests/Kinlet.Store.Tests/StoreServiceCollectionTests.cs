using Kinlet.Store.Events;
using Kinlet.Store.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace Kinlet.Store.Tests;

public sealed class StoreServiceCollectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kinlet-store-di-" + Guid.NewGuid().ToString("n"));

    public StoreServiceCollectionTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task AddKinletStore_opens_the_resources_secrets_and_event_log_in_the_state_dir()
    {
        await using (var sp = new ServiceCollection().AddKinletStore(_dir).BuildServiceProvider())
        {
            Assert.IsType<LiteDbResourceStore>(sp.GetRequiredService<IResourceStore>());
            Assert.IsType<FileSecretStore>(sp.GetRequiredService<ISecretStore>());
            Assert.Same(sp.GetRequiredService<IEventLog>(), sp.GetRequiredService<IDeliveryStore>());
            Assert.Same(sp.GetRequiredService<LiteDbEventLog>(), sp.GetRequiredService<IEventLog>());
        }
        Assert.True(File.Exists(Path.Combine(_dir, "kinlet.db")));
        Assert.True(File.Exists(Path.Combine(_dir, "events.db")));
    }

    [Fact]
    public void An_earlier_registration_wins()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IResourceStore>(_ => LiteDbResourceStore.Open(_dir));
        services.AddKinletStore(_dir);
        Assert.Single(services, d => d.ServiceType == typeof(IResourceStore));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
