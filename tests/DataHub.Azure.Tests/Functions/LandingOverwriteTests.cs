using System.Security.Cryptography;
using Azure.Storage.Blobs;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// A partner overwriting a landed blob while the hub ingests it, on Azurite (which, like the deployed account with its
/// hierarchical namespace, keeps no blob versions): the read pinned to the claimed version fails rather than mixing two,
/// nothing is stored, the lost version is audited, and the new version is stored on its own.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LandingOverwriteTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task A_blob_overwritten_while_it_is_ingested_is_never_mixed_is_audited_as_superseded_and_the_new_version_is_stored_on_its_own()
    {
        var hub = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, ManualClock.On(2026, 11, 22), TestHubs.QuickRetries());
        var path = $"landing/police/police-da-incidents/overwritten-{Guid.NewGuid():N}.csv";

        // Larger than the SDK's 4 MB read buffer, so the rows are read by ranged requests after the hash pass.
        using var original = new MemoryStream();
        LargeExtracts.WritePoliceIncidentsCsv(original, 100_000, seed: 7_301);
        original.Length.Should().BeGreaterThan(5 << 20);
        var landed = await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(original.ToArray(), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        using var replacement = new MemoryStream();
        LargeExtracts.WritePoliceIncidentsCsv(replacement, 20, seed: 7_302);
        var blob = new BlobClient(fixture.Azurite.ConnectionString, "landing-police", path["landing/police/".Length..]);
        var overwrite = new OnFirstProgress(() => blob.Upload(new BinaryData(replacement.ToArray()), overwrite: true));

        var outcome = await new IngestExtract(hub, overwrite).HandleAsync(path, landed.ETag, CancellationToken.None);

        overwrite.Done.Should().BeTrue("the partner overwrote the blob while its rows were read");
        outcome.Status.Should().Be(IngestStatus.Ignored, outcome.Message);
        outcome.Rule.Should().Be(IngestExtract.LandingChangedRule);
        var originalSha = Convert.ToHexStringLower(SHA256.HashData(original.ToArray()));
        var batch = IngestExtract.BatchIdFor("police", originalSha);
        (await hub.Store.GetAsync($"secure/police-da-incidents/_batches/{batch}.json", CancellationToken.None)).Should().BeNull("nothing of the overwritten version's attempt is committed");
        var safe = (await FileLabels.CurrentAsync(hub.Keys, CancellationToken.None)).LandingPath(path, hub.Protocols);
        var events = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Path == safe).ToListAsync();
        var superseded = events.Should().ContainSingle(e => e.Entry.Kind == AuditKinds.Superseded).Subject.Entry;
        superseded.Rule.Should().Be(IngestExtract.LandingChangedRule);
        superseded.FileSha256.Should().Be(originalSha);
        events.Should().NotContain(e => e.Entry.Kind == AuditKinds.Failed, "the partner's overwrite is not a failed attempt of the hub");
        (await hub.Receipts.GetAsync(new ReceiptKey("police", "police-da-incidents", originalSha), CancellationToken.None))!.FailedAttempts.Should().Be(0);

        var current = await hub.Store.GetAsync(path, CancellationToken.None);
        var stored = await new IngestExtract(hub).HandleAsync(path, current!.ETag, CancellationToken.None);
        stored.Status.Should().BeOneOf([IngestStatus.Stored, IngestStatus.StoredWithRowErrors], stored.Message);
        stored.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(replacement.ToArray())));
        (stored.RowsAccepted + stored.RowsRejected).Should().Be(20, "only the new version's rows are its batch's");
    }
    [Fact]
    public async Task A_misplaced_blob_replaced_before_its_event_is_handled_is_superseded_and_the_new_version_moved_once_by_its_own_event()
    {
        var hub = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, ManualClock.On(2026, 11, 22), TestHubs.QuickRetries());
        var path = $"landing/police/not-a-feed-{Guid.NewGuid():N}/Zoe Smith.csv";
        var first = await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync("a,b\n1,2\n"u8.ToArray(), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        var second = "a,b\n3,4\n"u8.ToArray();
        var latest = await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(second, ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        var safe = (await FileLabels.CurrentAsync(hub.Keys, CancellationToken.None)).LandingPath(path, hub.Protocols);

        var told = await new IngestExtract(hub).HandleAsync(path, first.ETag, CancellationToken.None);
        var moved = await new IngestExtract(hub).HandleAsync(path, latest.ETag, CancellationToken.None);
        var again = await new IngestExtract(hub).HandleAsync(path, first.ETag, CancellationToken.None);

        told.Rule.Should().Be(IngestExtract.SupersededRule, told.Message);
        moved.Status.Should().Be(IngestStatus.Quarantined, moved.Message);
        var kept = await hub.Store.OpenReadAsync(moved.QuarantinePath!, null, CancellationToken.None);
        await using (kept)
        {
            using var copy = new MemoryStream();
            await kept.CopyToAsync(copy);
            copy.ToArray().Should().Equal(second);
        }

        again.Status.Should().Be(IngestStatus.Ignored, again.Message);
        again.Rule.Should().BeNull("the first version's event delivered again finds the path handled, not a new refusal");
        var events = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Path == safe || e.Entry.Path == moved.QuarantinePath).ToListAsync();
        events.Select(e => e.Entry.Kind).Should().Equal([AuditKinds.Superseded, AuditKinds.PathRefused], "one event per version; no phantom refusal");
    }

    [Fact]
    public async Task A_misplaced_blob_another_handler_moves_first_is_recorded_once()
    {
        var hub = TestHubs.Azure(fixture.Azurite.ConnectionString, fixture.Azurite.KeyRoot, ManualClock.On(2026, 11, 22), TestHubs.QuickRetries());
        var path = $"landing/police/not-a-feed-{Guid.NewGuid():N}/Zoe Smith.csv";
        var landed = await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync("a,b\n1,2\n"u8.ToArray(), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        var safe = (await FileLabels.CurrentAsync(hub.Keys, CancellationToken.None)).LandingPath(path, hub.Protocols);
        var racing = new MovedByAnotherHandler(hub, path);

        var outcome = await new IngestExtract(hub with { Store = racing }).HandleAsync(path, landed.ETag, CancellationToken.None);

        racing.Moved!.Status.Should().Be(IngestStatus.Quarantined, racing.Moved.Message);
        outcome.Status.Should().Be(IngestStatus.Ignored, outcome.Message);
        outcome.Rule.Should().BeNull("the blob was moved by the hub, not replaced: its pinned read's 404 is not a superseded version");
        var events = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Path == safe || e.Entry.Path == racing.Moved.QuarantinePath).ToListAsync();
        events.Should().ContainSingle().Which.Entry.Kind.Should().Be(AuditKinds.PathRefused);
    }

    /// <summary>A store on which another of the hub's handlers moves one landing blob to quarantine just after this one finds it.</summary>
    private sealed class MovedByAnotherHandler(Core.Hub.HubContext hub, string path) : DelegatingStore(hub.Store)
    {
        public IngestOutcome? Moved { get; private set; }

        public override async Task<StoredObject?> GetAsync(string asked, CancellationToken cancellationToken)
        {
            var found = await base.GetAsync(asked, cancellationToken);
            if (asked == path && found is not null && Moved is null)
            {
                Moved = await new IngestExtract(hub).HandleAsync(path, found.ETag, cancellationToken);
            }

            return found;
        }
    }
}
