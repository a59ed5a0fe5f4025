using DataHub.Seeds;

namespace DataHub.EndToEnd.Tests;

/// <summary>Runs `datahub demo` once into a temporary root (marts written uncompressed so bytes can be scanned) for the tests that inspect its outputs.</summary>
public sealed class DemoFixture : IAsyncLifetime
{
    private readonly HubRoot _root = new();

    internal HubRoot Root => _root;

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    /// <summary>The same dataset the demo generated (same default seed).</summary>
    public SyntheticDataset Dataset { get; } = SyntheticHub.Generate(new SeedOptions());

    public async Task InitializeAsync() => (ExitCode, Output) = await _root.RunAsync("demo");

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}
