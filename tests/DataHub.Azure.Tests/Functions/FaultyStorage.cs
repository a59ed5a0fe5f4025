using DataHub.Testing;

namespace DataHub.Azure.Tests.Functions;

/// <summary>One Azurite for a test class, with a fault proxy in front of its Blob service (its tests may stop it, and set faults).</summary>
public sealed class FaultyStorage : IAsyncLifetime
{
    private Azurite? _azurite;
    private FaultProxy? _proxy;

    /// <summary>The emulator.</summary>
    public Azurite Emulator => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>The proxy every Blob request goes through.</summary>
    internal FaultProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy has not started.");

    /// <summary>Blob requests through the fault proxy; Table requests straight to Azurite.</summary>
    public string ConnectionString => Azurite.ConnectionStringFor(Proxy.Port, Emulator.TablePort, Emulator.QueuePort);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartNewAsync();
        _proxy = await FaultProxy.StartAsync(_azurite.BlobPort);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
