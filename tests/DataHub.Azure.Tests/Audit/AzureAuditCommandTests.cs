using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DataHub.Core.Audit;
using DataHub.Host.Commands;
using DataHub.Storage.Azure;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Audit;

/// <summary>
/// Issue 14 on Azure storage: `datahub audit verify --azure` reports each way of tampering with the audit table (exit 2),
/// checked against the keyed seals and the anchor blobs; `audit repair --azure` records a lost end and the hub writes on.
/// Every test starts from the same audited hub (<see cref="AuditedAzureHub"/>) and puts it back afterwards.
/// </summary>
public sealed class AzureAuditCommandTests(AuditedAzureHub hub) : IClassFixture<AuditedAzureHub>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => hub.RestoreAsync();

    private async Task<string> VerifyBrokenAsync()
    {
        var (code, output) = await hub.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("BROKEN");
        return output;
    }

    private async Task DeleteAsync(IEnumerable<TableEntity> rows)
    {
        foreach (var row in rows)
        {
            await hub.Table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
    }

    private static TableEntity Row(AuditEvent e) =>
        new("chain", "e" + e.Sequence.ToString("D19", CultureInfo.InvariantCulture))
        {
            ["Event"] = Encoding.UTF8.GetString(AuditChain.ToJsonLine(e)),
            ["Kind"] = e.Entry.Kind,
        };

    [Fact]
    public async Task Verify_passes_the_untouched_audit_table_checking_keyed_seals_and_anchor_blobs()
    {
        var (code, output) = await hub.RunAsync("audit", "verify");

        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("chain intact, sealed under the audit key").And.Contain("anchor blob anchors/audit/");
        (await hub.EventsAsync()).Should().OnlyContain(e => e.Event.IsKeyed);
    }

    [Fact]
    public async Task Verify_reports_the_tail_cut_off_together_with_the_head()
    {
        var events = await hub.EventsAsync();
        await DeleteAsync(events.TakeLast(4).Select(e => e.Row));
        await hub.Table.DeleteEntityAsync("chain", "head");

        (await VerifyBrokenAsync()).Should().Contain("missing from its end").And.Contain("anchor blob anchors/audit/");
    }

    [Fact]
    public async Task Verify_reports_the_log_and_head_deleted()
    {
        await DeleteAsync(await hub.Table.QueryAsync<TableEntity>().ToListAsync());

        (await VerifyBrokenAsync()).Should().Contain("deleted or emptied");
    }

    [Fact]
    public async Task Verify_reports_an_event_removed_and_the_chain_recomputed_without_the_key()
    {
        var events = await hub.EventsAsync();
        var kept = events.Take(4).Select(e => e.Event).ToList();
        foreach (var (_, e) in events.Skip(5))
        {
            // Without the audit key a forger can only re-chain with the plain SHA-256 the chain once used.
            kept.Add(UnkeyedAudit.Seal(e.Entry, kept[^1], e.Time));
        }

        await DeleteAsync(events.Skip(4).Select(e => e.Row));
        foreach (var e in kept.Skip(4))
        {
            await hub.Table.AddEntityAsync(Row(e));
        }

        await hub.Table.UpsertEntityAsync(new TableEntity("chain", "head") { ["Sequence"] = kept[^1].Sequence, ["Hash"] = kept[^1].Hash }, TableUpdateMode.Replace);

        (await VerifyBrokenAsync()).Should().Contain("event 5 is unkeyed after keyed events").And.Contain("without the audit key");
    }

    [Fact]
    public async Task Verify_reports_a_property_added_to_an_event()
    {
        var row = (await hub.EventsAsync())[3].Row;
        row["Event"] = row.GetString("Event")!.Replace("\"kind\":", "\"reviewed_by\":\"someone\",\"kind\":", StringComparison.Ordinal);
        await hub.Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        (await VerifyBrokenAsync()).Should().Contain("property was added").And.Contain("BROKEN at event 4");
    }

    [Fact]
    public async Task Verify_reports_a_torn_last_event()
    {
        var (row, last) = (await hub.EventsAsync())[^1];
        row["Event"] = row.GetString("Event")![..^50];
        await hub.Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        (await VerifyBrokenAsync()).Should().Contain($"BROKEN at event {last.Sequence}").And.Contain("cannot be read");
    }

    [Fact]
    public async Task Repair_records_events_lost_from_the_end_only_when_the_loss_is_accepted_and_the_hub_writes_again()
    {
        var events = await hub.EventsAsync();
        await DeleteAsync(events.TakeLast(4).Select(e => e.Row));
        await hub.Table.DeleteEntityAsync("chain", "head");

        var (code, output) = await hub.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("--accept-loss");
        (await hub.EventsAsync()).Should().HaveCount(events.Count - 4, "nothing is written without --accept-loss");

        (code, output) = await hub.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("Repaired as event " + (events.Count + 1)).And.Contain("Audit chain intact");

        await hub.IngestAsync(AuditedAzureHub.Police with { FileName = "mar.csv", Content = [.. AuditedAzureHub.Police.Content, .. "\n\n"u8] });
        (code, output) = await hub.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("lost at the log's end");
        (await hub.RunAsync("audit", "show", "--last", "0")).Output.Should().Contain(AuditKinds.AuditRepaired);
    }

    [Fact]
    public async Task Function_app_writes_no_audit_event_while_the_table_end_is_broken()
    {
        var events = await hub.EventsAsync();
        await DeleteAsync(events.TakeLast(4).Select(e => e.Row));
        await hub.Table.DeleteEntityAsync("chain", "head");
        var audit = TestHubs.Azure(hub.Emulator.ConnectionString, hub.Emulator.KeyRoot, hub.Clock).Audit;

        var append = () => audit.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police"), CancellationToken.None);

        await append.Should().ThrowAsync<AuditChainBrokenException>().WithMessage("*anchor blob anchors/audit/*events were removed from its end*--accept-loss*");
        (await hub.EventsAsync()).Should().HaveCount(events.Count - 4, "nothing is sealed onto a broken end");
    }

    [Fact]
    public async Task Function_app_writes_no_audit_event_while_the_anchor_container_is_emptied_until_repair_records_the_loss()
    {
        var events = await hub.EventsAsync();
        var anchors = new BlobServiceClient(hub.Emulator.ConnectionString).GetBlobContainerClient(AzureNames.AnchorsContainer);
        var removed = new List<(string Name, BinaryData Content)>();
        await foreach (var blob in anchors.GetBlobsAsync())
        {
            removed.Add((blob.Name, (await anchors.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content));
            await anchors.DeleteBlobAsync(blob.Name);
        }

        try
        {
            removed.Should().NotBeEmpty();
            hub.Clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
            var audit = TestHubs.Azure(hub.Emulator.ConnectionString, hub.Emulator.KeyRoot, hub.Clock).Audit;
            var append = () => audit.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police"), CancellationToken.None);

            await append.Should().ThrowAsync<AuditChainBrokenException>().WithMessage("*the anchor container anchors holds no anchor*gone*--accept-loss*");
            (await hub.EventsAsync()).Should().HaveCount(events.Count, "nothing is sealed while the anchors are gone");
            (await anchors.GetBlobsAsync().ToListAsync()).Should().BeEmpty("no fresh anchors are started");

            var (code, output) = await hub.RunAsync("audit", "repair", "--accept-loss");
            code.Should().Be(ExitCodes.Ok, output);
            output.Should().Contain("Repaired as event " + (events.Count + 1)).And.Contain("Audit chain intact").And.Contain("the anchors of events 1–" + events.Count + " lost");
            await append();
            (await hub.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
        }
        finally
        {
            foreach (var (name, content) in removed)
            {
                await anchors.GetBlobClient(name).UploadAsync(content, overwrite: true);
            }
        }
    }

    [Fact]
    public async Task Azure_audit_commands_without_storage_settings_exit_3_naming_the_settings()
    {
        using var output = new StringWriter();
        var env = new CommandEnvironment(output, output, hub.Clock) { Variables = _ => null };

        var code = await DataHub.Host.Program.RunAsync(["audit", "verify", "--azure"], env);

        code.Should().Be(ExitCodes.Configuration, output.ToString());
        output.ToString().Should().Contain("DATAHUB_STORAGE").And.NotContain("   at ", "no stack trace");
    }

    [Fact]
    public async Task Verify_reports_a_stored_delivery_cut_from_the_table_end_with_its_anchor_blobs()
    {
        // The second delivery's events and anchor blobs removed, and the head with them: the chain and the anchors left
        // agree, but the batch manifest and receipt the delivery left are accounted for by no event.
        var events = await hub.EventsAsync();
        var second = events.Where(e => e.Event.Entry.Kind == AuditKinds.Received).Skip(1).First().Event.Sequence;
        var cut = events.Where(e => e.Event.Sequence >= second).ToList();
        var batch = cut.Select(e => e.Event.Entry.BatchId).First(b => b is not null);
        var anchors = new BlobServiceClient(hub.Emulator.ConnectionString).GetBlobContainerClient(AzureNames.AnchorsContainer);
        var removed = new List<(string Name, BinaryData Content)>();
        foreach (var (_, e) in cut)
        {
            var blob = anchors.GetBlobClient(BlobAuditAnchors.NameOf(e.Sequence, e.Hash));
            if ((await blob.ExistsAsync()).Value)
            {
                removed.Add((blob.Name, (await blob.DownloadContentAsync()).Value.Content));
                await blob.DeleteAsync();
            }
        }

        try
        {
            removed.Should().NotBeEmpty();
            await DeleteAsync(cut.Select(e => e.Row));
            await hub.Table.DeleteEntityAsync("chain", "head");

            (await VerifyBrokenAsync()).Should().Contain($"batch {batch} (police-da-incidents)").And.Contain("the receipt of police/police-da-incidents").And.Contain("does not account for");
        }
        finally
        {
            foreach (var (name, content) in removed)
            {
                await anchors.GetBlobClient(name).UploadAsync(content, overwrite: true);
            }
        }
    }
}
