using System.Net;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Host.Functions;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Functions;

/// <summary>Acceptance 2 with effects: recorded payloads posted to the handler over the real functions on Azurite.</summary>
public sealed class CustomHandlerEffectsTests : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly AzuriteFixture _fixture;
    private readonly TempFolder _keys = new("handler-keys");
    private readonly HubContext _hub;
    private HandlerClient? _handler;

    public CustomHandlerEffectsTests(AzuriteFixture fixture)
    {
        _fixture = fixture;
        _hub = TestHubs.Azure(fixture.Azurite.ConnectionString, _keys.Path, ManualClock.On(2026, 11, 22));
    }

    public async Task InitializeAsync() => _handler = await HandlerClient.StartAsync(new HubFunctions(_hub));

    public async Task DisposeAsync()
    {
        await _handler!.DisposeAsync();
        _keys.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Log)> PostAsync(string function, string payload)
    {
        var (status, body) = await _handler!.PostAsync(function, payload);
        return (status, body.GetProperty("Logs")[0].GetString()!);
    }

    private async Task<(string Path, StoredObject Landed, byte[] Content)> LandAsync(SyntheticFile file)
    {
        var path = $"landing/{file.Partner}/{file.Feed}/{file.FileName}";
        var landed = await _hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(file.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        return (path, landed, file.Content);
    }

    [Fact]
    public async Task Blob_trigger_payload_ingests_the_landed_blob_into_the_secure_mart_and_audits_it()
    {
        var dataset = SyntheticHub.Generate();
        var file = dataset.Files.First(f => f.Feed == "csc-people");
        var (path, landed, content) = await LandAsync(file);
        var uriBase = $"http://127.0.0.1:{_fixture.Azurite.BlobPort}/devstoreaccount1";

        var (status, log) = await PostAsync("IngestExtract", Payloads.BlobTrigger(path, content, landed.ETag, uriBase));
        var (again, againLog) = await PostAsync("IngestExtract", Payloads.BlobTrigger(path, content, landed.ETag, uriBase));

        status.Should().Be(HttpStatusCode.OK);
        log.Should().Contain("Stored");
        again.Should().Be(HttpStatusCode.OK);
        againLog.Should().NotContain("rows stored", "a redelivered event does not ingest the content twice");
        var marts = await _hub.Store.ListAsync("secure/csc-people/", CancellationToken.None).ToListAsync();
        marts.Should().NotBeEmpty();
        var audit = await _hub.Audit.ReadAsync(CancellationToken.None).ToListAsync();
        audit.Where(e => e.Entry.Kind == AuditKinds.Written).Select(e => e.Entry.Path).Should().BeEquivalentTo(marts.Select(m => m.Path));
        foreach (var raw in dataset.RawValues.Identifiers.Concat(dataset.RawValues.Names).Concat(dataset.RawValues.DatesOfBirth).Where(v => v.Length >= 6))
        {
            log.Should().NotContain(raw);
        }
    }

    [Fact]
    public async Task Blob_trigger_for_a_replaced_version_is_not_ingested()
    {
        var file = SyntheticHub.Generate().Files.First(f => f.Feed == "mental-health-scores");
        var (path, landed, content) = await LandAsync(file);
        await _hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(content.Concat("\n"u8.ToArray()).ToArray(), ct).AsTask(), WriteOptions.Default, CancellationToken.None);

        var (status, log) = await PostAsync("IngestExtract", Payloads.BlobTrigger(path, content, landed.ETag, "https://hubdata.blob.core.windows.net"));

        status.Should().Be(HttpStatusCode.OK);
        log.Should().Contain("Ignored");
        (await _hub.Store.ListAsync("secure/mental-health-scores/", CancellationToken.None).AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task Timer_payloads_run_the_rollup_and_retention_against_azure_storage()
    {
        var file = SyntheticHub.Generate().Files.First(f => f.Feed == "csc-people");
        var (path, landed, content) = await LandAsync(file);
        await PostAsync("IngestExtract", Payloads.BlobTrigger(path, content, landed.ETag, "https://hubdata.blob.core.windows.net"));

        var (rollup, rollupLog) = await PostAsync("RollupQuarter", Payloads.Timer("RollupQuarter", pastDue: true));
        var (retention, retentionLog) = await PostAsync("EnforceRetention", Payloads.Timer("EnforceRetention", pastDue: false));

        rollup.Should().Be(HttpStatusCode.OK);
        rollupLog.Should().StartWith("RollupQuarter: (past due) KPI tables published: published/kpi/v=");
        (await RollupQuarter.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().NotBeNull();
        (await DataHub.Core.Governance.GovernancePublisher.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().NotBeNull("the timer publishes the governance tables after the KPI tables");
        (await _hub.Store.ListAsync("published/report/board-report-", CancellationToken.None).ToListAsync()).Should().ContainSingle("and writes the board report to blob storage");
        retention.Should().Be(HttpStatusCode.OK);
        retentionLog.Should().StartWith("EnforceRetention: examined").And.Contain("deleted 0");
    }
}
