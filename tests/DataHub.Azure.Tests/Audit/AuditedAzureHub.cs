using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DataHub.Azure.Tests.Functions;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Functions;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Audit;

/// <summary>
/// An Azure hub on an Azurite of its own whose audit two seeded police extracts, ingested through the Function App,
/// have filled (keyed events in the audit table, anchors in the anchors container). Tests tamper with the table as an
/// intruder with write access to it would, and <see cref="RestoreAsync"/> puts table and anchors back as they were.
/// </summary>
public sealed class AuditedAzureHub : IAsyncLifetime
{
    private readonly List<TableEntity> _rows = [];
    private readonly HashSet<string> _anchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _receipts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _secure = new(StringComparer.Ordinal);
    private Azurite? _azurite;

    /// <summary>The emulator (its key root holds the hub's keys).</summary>
    public Azurite Emulator => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>The hub's clock.</summary>
    public ManualClock Clock { get; } = ManualClock.On(2026, 11, 22);

    /// <summary>The audit table, reached directly as an intruder would (not through the hub).</summary>
    public TableClient Table => new TableServiceClient(Emulator.ConnectionString).GetTableClient(AzureNames.AuditTable);

    /// <summary>The seeded police extract the hub was filled with.</summary>
    public static SyntheticFile Police { get; } = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");

    private BlobContainerClient Anchors => new BlobServiceClient(Emulator.ConnectionString).GetBlobContainerClient(AzureNames.AnchorsContainer);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartNewAsync();
        await IngestAsync(Police with { FileName = "jan.csv" });
        await IngestAsync(Police with { FileName = "feb.csv", Content = [.. Police.Content, .. "\n"u8] });
        await foreach (var row in Table.QueryAsync<TableEntity>())
        {
            _rows.Add(Copy(row));
        }

        await foreach (var blob in Anchors.GetBlobsAsync())
        {
            _anchors.Add(blob.Name);
        }

        await foreach (var row in Receipts.QueryAsync<TableEntity>())
        {
            _receipts.Add(row.PartitionKey + "/" + row.RowKey);
        }

        await foreach (var blob in Secure.GetBlobsAsync())
        {
            _secure.Add(blob.Name);
        }
    }

    private TableClient Receipts => new TableServiceClient(Emulator.ConnectionString).GetTableClient(AzureNames.ReceiptsTable);

    private BlobContainerClient Secure => new BlobServiceClient(Emulator.ConnectionString).GetBlobContainerClient("secure");

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>Delivers <paramref name="file"/> to IngestExtract as the Function App runs it.</summary>
    public async Task IngestAsync(SyntheticFile file)
    {
        await using var app = TestHubs.FunctionApp(Emulator.ConnectionString, Emulator.KeyRoot, Clock);
        var hub = app.GetRequiredService<HubContext>();
        await (await Deliveries.LandAsync(hub.Store, Emulator.ConnectionString, file)).To(TestHubs.Function<IngestExtractFunction>(app));
    }

    /// <summary>Runs `datahub {args} --azure` with the app settings the Function App has (Azurite, the local key root).</summary>
    public async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AzureNames.StorageSetting] = Emulator.ConnectionString,
            [AzureNames.KeyRootSetting] = Emulator.KeyRoot,
        };
        using var output = new StringWriter();
        var env = new CommandEnvironment(output, output, Clock) { Variables = name => settings.GetValueOrDefault(name) };
        var code = await DataHub.Host.Program.RunAsync([.. args, "--azure"], env);
        return (code, output.ToString());
    }

    /// <summary>The event rows in sequence order, with the events they hold.</summary>
    public async Task<List<(TableEntity Row, AuditEvent Event)>> EventsAsync()
    {
        var events = new List<(TableEntity, AuditEvent)>();
        await foreach (var row in Table.QueryAsync<TableEntity>("RowKey ne 'head'"))
        {
            events.Add((row, AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(row.GetString("Event")!))));
        }

        return events;
    }

    /// <summary>Puts the audit table and the anchors back as the two ingests left them.</summary>
    public async Task RestoreAsync()
    {
        var table = Table;
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        foreach (var row in _rows)
        {
            await table.AddEntityAsync(Copy(row));
        }

        // Azurite has no retention policy, so the anchors a test added (a repair's) can go again.
        var anchors = Anchors;
        await foreach (var blob in anchors.GetBlobsAsync())
        {
            if (!_anchors.Contains(blob.Name))
            {
                await anchors.DeleteBlobAsync(blob.Name);
            }
        }

        // What a test's own deliveries stored goes too: `audit verify` checks every batch and receipt against the table.
        await foreach (var row in Receipts.QueryAsync<TableEntity>())
        {
            if (!_receipts.Contains(row.PartitionKey + "/" + row.RowKey))
            {
                await Receipts.DeleteEntityAsync(row.PartitionKey, row.RowKey);
            }
        }

        await foreach (var blob in Secure.GetBlobsAsync())
        {
            if (!_secure.Contains(blob.Name))
            {
                await Secure.DeleteBlobAsync(blob.Name);
            }
        }
    }

    /// <summary>A row's key and stored properties, without the service's timestamp and ETag.</summary>
    private static TableEntity Copy(TableEntity row)
    {
        var copy = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")))
        {
            copy[name] = value;
        }

        return copy;
    }
}
