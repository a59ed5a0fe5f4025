using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Receipts;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class TableAuditAndReceiptTests(AzuriteFixture fixture)
{
    private readonly string _table = "t" + Guid.NewGuid().ToString("N")[..12];

    private AzureStorage Storage => AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, new AzureClientSettings());

    /// <summary>A writer on this test's own audit table and anchors container, sealing under the emulator's hub audit key.</summary>
    private TableAuditLog AuditLog()
    {
        var storage = Storage;
        return storage.AuditLog(new LocalAuditKeyProvider(TestHubs.Keys(fixture.Azurite.KeyRoot)), storage.Anchors(_table), TimeProvider.System, _table);
    }

    [Fact]
    public async Task Concurrent_audit_appends_from_separate_writers_keep_one_valid_chain()
    {
        // Four writers, as four Function instances would be: separate clients over one table.
        var writers = Enumerable.Range(0, 4).Select(_ => AuditLog()).ToArray();

        await Task.WhenAll(writers.SelectMany((log, w) => Enumerable.Range(0, 6).Select(i =>
            log.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police", Detail: $"writer {w} event {i}"), CancellationToken.None))));

        var events = await writers[0].ReadAsync(CancellationToken.None).ToListAsync();
        events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 24).Select(i => (long)i));
        events.Select(e => e.Entry.Detail).Should().OnlyHaveUniqueItems();
        var verification = await AuditVerifier.VerifyAsync(writers[1], new LocalAuditKeyProvider(fixture.Azurite.KeyRoot), await writers[1].Anchors.ReadAsync(CancellationToken.None).ToListAsync(), CancellationToken.None);
        verification.Intact.Should().BeTrue(verification.Message);
        (await writers[2].GetHeadAsync(CancellationToken.None)).Should().Be(new AuditHead(24, events[^1].Hash));
    }

    [Fact]
    public async Task An_append_whose_answer_is_lost_after_it_committed_is_recorded_once()
    {
        // The service commits the transaction but its answer never arrives (a gateway error, a dropped connection): the
        // SDK sends it again, and the second try finds the event's row already there.
        await using var proxy = await FaultProxy.StartAsync(fixture.Azurite.TablePort);
        var storage = AzureStorage.ForEmulator(Azurite.ConnectionStringFor(fixture.Azurite.BlobPort, proxy.Port, fixture.Azurite.QueuePort), TestHubs.QuickRetries());
        var log = storage.AuditLog(new LocalAuditKeyProvider(TestHubs.Keys(fixture.Azurite.KeyRoot)), storage.Anchors(_table), TimeProvider.System, _table);
        await log.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police", Detail: "before"), CancellationToken.None);
        var lost = 0;
        proxy.LoseAnswer = request => request.Path.Value!.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Exchange(ref lost, 1) == 0 ? 503 : null;

        var appended = await log.AppendAsync(new AuditEntry(AuditKinds.Archived, Partner: "police", Detail: "once"), CancellationToken.None);

        proxy.Faults.Should().Be(1);
        var events = await log.ReadAsync(CancellationToken.None).ToListAsync();
        events.Select(e => e.Entry.Detail).Should().Equal(["before", "once"], "the event committed by the try whose answer was lost is the one appended");
        appended.Hash.Should().Be(events[^1].Hash);
        (await log.GetHeadAsync(CancellationToken.None)).Should().Be(new AuditHead(2, events[^1].Hash));
    }

    [Fact]
    public async Task A_completion_whose_answer_is_lost_after_it_committed_is_taken_as_done_not_as_a_lost_claim()
    {
        // The replace completing the receipt commits, its answer is lost, and the SDK's retry meets the receipt already
        // completed (a precondition failure on the ETag read): that is this owner's own completion, not another's takeover.
        await using var proxy = await FaultProxy.StartAsync(fixture.Azurite.TablePort);
        var store = AzureStorage.ForEmulator(Azurite.ConnectionStringFor(fixture.Azurite.BlobPort, proxy.Port, fixture.Azurite.QueuePort), TestHubs.QuickRetries()).Receipts(_table);
        var key = new ReceiptKey("police", "police-da-incidents", new string('e', 64));
        var owner = ClaimOwner.New();
        await store.TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/file-1.csv", owner, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2)), CancellationToken.None);
        var lost = 0;
        proxy.LoseAnswer = request => request.Method == "PUT" && Interlocked.Exchange(ref lost, 1) == 0 ? 503 : null;

        var completed = await store.CompleteAsync(key, owner, ReceiptRules.Stored, "police-eeee", CancellationToken.None);

        proxy.Faults.Should().Be(1, "the first answer was lost");
        completed.State.Should().Be(ReceiptState.Completed);
        (await store.GetAsync(key, CancellationToken.None))!.Outcome.Should().Be(ReceiptRules.Stored);
    }

    [Fact]
    public async Task A_first_claim_whose_answer_is_lost_after_it_was_made_is_still_the_claimers()
    {
        await using var proxy = await FaultProxy.StartAsync(fixture.Azurite.TablePort);
        var store = AzureStorage.ForEmulator(Azurite.ConnectionStringFor(fixture.Azurite.BlobPort, proxy.Port, fixture.Azurite.QueuePort), TestHubs.QuickRetries()).Receipts(_table);
        await store.GetAsync(new ReceiptKey("police", "police-da-incidents", new string('0', 64)), CancellationToken.None); // creates the table
        var key = new ReceiptKey("police", "police-da-incidents", new string('f', 64));
        var lost = 0;
        proxy.LoseAnswer = request => request.Method == "POST" && Interlocked.Exchange(ref lost, 1) == 0 ? 503 : null;

        var claim = await store.TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/file-1.csv", ClaimOwner.New(), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2)), CancellationToken.None);

        proxy.Faults.Should().Be(1, "the first answer was lost");
        claim.Status.Should().Be(ClaimStatus.Claimed, "the claim the lost answer was for is this delivery's own, not another worker's");
        claim.Receipt.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Audit_events_read_back_exactly_as_sealed()
    {
        var log = AuditLog();
        var entry = new AuditEntry(AuditKinds.Written, "csc", "csc-people", "DSA-1", new string('a', 64), "secure/csc-people/quarter=2024Q1/b1.parquet", "b1",
            Counts: new Dictionary<string, long> { ["rows"] = 12, ["bytes"] = 4096 }, DurationMs: 17);

        var sealedEvent = await log.AppendAsync(entry, CancellationToken.None);

        var read = await log.ReadAsync(CancellationToken.None).SingleAsync();
        read.Hash.Should().Be(sealedEvent.Hash);
        AuditChain.HasValidSeal(read, await new LocalAuditKeyProvider(fixture.Azurite.KeyRoot).GetCurrentAsync(CancellationToken.None)).Should().BeTrue();
        read.Entry.Counts.Should().BeEquivalentTo(entry.Counts);
    }

    [Theory]
    [InlineData("int")]
    [InlineData("binary")]
    [InlineData("property_added")]
    public async Task Reading_the_readable_events_over_several_pages_passes_over_a_damaged_row_inside_and_keeps_the_rest(string damage)
    {
        // Two rows a page, so the damaged row, the events around it and the page boundaries all fall in different pages.
        var storage = AzureStorage.ForEmulator(fixture.Azurite.ConnectionString, new AzureClientSettings { PageSize = 2 });
        var log = storage.AuditLog(new LocalAuditKeyProvider(TestHubs.Keys(fixture.Azurite.KeyRoot)), storage.Anchors(_table), TimeProvider.System, _table);
        for (var i = 1; i <= 7; i++)
        {
            await log.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police", Detail: $"event {i}"), CancellationToken.None);
        }

        await DamageRowAsync(4, damage);
        var unreadable = new List<long>();

        var events = await log.ReadReadableAsync(unreadable.Add, CancellationToken.None).ToListAsync();

        events.Select(e => e.Sequence).Should().Equal(1, 2, 3, 5, 6, 7);
        unreadable.Should().Equal([3L], "the row is told as the event it follows, never by its content");
    }

    [Theory]
    [InlineData("int")]
    [InlineData("binary")]
    public async Task A_row_whose_event_is_stored_as_another_type_is_reported_as_a_break_never_thrown_as_a_type_error(string damage)
    {
        var log = AuditLog();
        for (var i = 1; i <= 4; i++)
        {
            await log.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police", Detail: $"event {i}"), CancellationToken.None);
        }

        await DamageRowAsync(2, damage);

        var verification = await AuditVerifier.VerifyAsync(log, new LocalAuditKeyProvider(fixture.Azurite.KeyRoot), await log.Anchors.ReadAsync(CancellationToken.None).ToListAsync(), CancellationToken.None);
        verification.Intact.Should().BeFalse();
        verification.Message.Should().Contain("after event 1");
        var read = () => log.ReadAsync(CancellationToken.None).ToListAsync().AsTask();
        (await read.Should().ThrowAsync<FormatException>()).Which.Message.Should().NotContain("Int32").And.NotContain("Binary");
    }

    [Fact]
    public async Task A_head_whose_sequence_is_stored_as_another_type_counts_as_absent_as_an_unreadable_local_head_does()
    {
        var log = AuditLog();
        await log.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police", Detail: "one"), CancellationToken.None);
        var table = Storage.Tables.GetTableClient(_table);
        var head = (await table.GetEntityAsync<global::Azure.Data.Tables.TableEntity>("chain", "head")).Value;
        head["Sequence"] = "one";
        await table.UpdateEntityAsync(head, head.ETag, global::Azure.Data.Tables.TableUpdateMode.Replace);

        (await log.GetHeadAsync(CancellationToken.None)).Should().BeNull();
        var appended = await log.AppendAsync(new AuditEntry(AuditKinds.Received, Partner: "police", Detail: "two"), CancellationToken.None);
        appended.Sequence.Should().Be(2, "the last event is read from the table when the head cannot be");
        (await log.GetHeadAsync(CancellationToken.None)).Should().Be(new AuditHead(2, appended.Hash));
    }

    // Stores event <paramref name="sequence"/>'s row as an intruder or a careless edit in Storage Explorer would: its event
    // as a number or bytes (another property type), or its JSON with a property added.
    private async Task DamageRowAsync(long sequence, string damage)
    {
        var table = Storage.Tables.GetTableClient(_table);
        var row = (await table.GetEntityAsync<global::Azure.Data.Tables.TableEntity>("chain", "e" + sequence.ToString("D19", System.Globalization.CultureInfo.InvariantCulture))).Value;
        row["Event"] = damage switch
        {
            "int" => 4,
            "binary" => new byte[] { 1, 2, 3 },
            "property_added" => row.GetString("Event")!.Replace("\"kind\":", "\"note\":\"x\",\"kind\":", StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        await table.UpdateEntityAsync(row, row.ETag, global::Azure.Data.Tables.TableUpdateMode.Replace);
    }

    [Theory]
    [InlineData("police.police-da-incidents", "Jane-Doe-2011-03-02")]
    [InlineData("Jane Doe.police-da-incidents", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    public async Task A_stray_receipt_entity_named_like_a_person_is_reported_unreadable_without_its_name(string partition, string row)
    {
        // Anyone with write access can add an entity; its keys reach `audit verify` and the board's audit_chain row if repeated.
        var table = Storage.Tables.GetTableClient(_table);
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new global::Azure.Data.Tables.TableEntity(partition, row) { ["Partner"] = "Jane Doe", ["Feed"] = "police-da-incidents", ["State"] = "Nonsense" });
        var unreadable = new List<string>();

        var listed = await Storage.Receipts(_table).ListAsync(unreadable.Add, CancellationToken.None).ToListAsync();

        listed.Should().BeEmpty();
        unreadable.Should().ContainSingle().Which.Should().Contain(ReceiptNames.Stray).And.NotContain("Jane").And.NotContain("Doe");
    }

    [Fact]
    public async Task Same_content_claimed_concurrently_is_claimed_once()
    {
        var key = new ReceiptKey("police", "police-da-incidents", new string('b', 64));
        var stores = Enumerable.Range(0, 5).Select(_ => Storage.Receipts(_table)).ToArray();
        var now = DateTimeOffset.UtcNow;

        var results = await Task.WhenAll(stores.Select(s => s.TryClaimAsync(key, new ClaimRequest("landing/police/police-da-incidents/a.csv", ClaimOwner.New(), now, TimeSpan.FromMinutes(10)), CancellationToken.None)));

        results.Count(r => r.Status == ClaimStatus.Claimed).Should().Be(1);
        results.Where(r => r.Status != ClaimStatus.Claimed).Should().OnlyContain(r => r.Status == ClaimStatus.HeldByAnother);
    }

    [Fact]
    public async Task Failed_attempts_are_counted_and_completion_makes_later_deliveries_duplicates()
    {
        var store = Storage.Receipts(_table);
        var key = new ReceiptKey("schools", "school-attendance", new string('c', 64));
        var now = DateTimeOffset.UtcNow;
        var lease = TimeSpan.FromMinutes(10);
        var owner = ClaimOwner.New();

        (await store.TryClaimAsync(key, new ClaimRequest("landing/schools/school-attendance/a.xlsx", owner, now, lease), CancellationToken.None)).Status.Should().Be(ClaimStatus.Claimed);
        (await store.FailAsync(key, owner, "IOException: storage unreachable", counted: true, CancellationToken.None)).FailedAttempts.Should().Be(1);
        var retry = await store.TryClaimAsync(key, new ClaimRequest("landing/schools/school-attendance/a.xlsx", owner, now.AddMinutes(1), lease), CancellationToken.None);
        (await store.FailAsync(key, owner, "IOException: storage unreachable", counted: true, CancellationToken.None)).FailedAttempts.Should().Be(2);
        await store.TryClaimAsync(key, new ClaimRequest("landing/schools/school-attendance/a.xlsx", owner, now.AddMinutes(2), lease), CancellationToken.None);
        await store.CompleteAsync(key, owner, "stored", "batch-1", CancellationToken.None);

        var again = await store.TryClaimAsync(key, new ClaimRequest("landing/schools/school-attendance/b.xlsx", owner, now.AddMinutes(3), lease), CancellationToken.None);

        retry.Receipt.Attempts.Should().Be(2);
        again.Status.Should().Be(ClaimStatus.AlreadyCompleted);
        var stored = await store.GetAsync(key, CancellationToken.None);
        stored!.Attempts.Should().Be(3);
        stored.FailedAttempts.Should().Be(2);
        stored.BatchId.Should().Be("batch-1");
        stored.State.Should().Be(ReceiptState.Completed);
    }

    [Fact]
    public async Task A_claims_label_key_version_travels_in_the_table_entity_and_comes_back_with_the_receipt_a_reclaim_replaced()
    {
        // Ingest tells a retry after a key rotation by the key version the earlier attempt's label was made under, which
        // only the stored receipt (read back by another worker, in another process) can give it.
        var store = Storage.Receipts(_table);
        var key = new ReceiptKey("police", "police-da-incidents", new string('9', 64));
        var lease = TimeSpan.FromMinutes(2);
        var now = DateTimeOffset.UtcNow;
        var first = ClaimOwner.New();
        const string earlierPath = "landing/police/police-da-incidents/file-0a1b2c3d.csv";
        const string laterPath = "landing/police/police-da-incidents/file-4e5f6a7b.csv";

        (await store.TryClaimAsync(key, new ClaimRequest(earlierPath, first, now, lease, "v1"), CancellationToken.None)).Receipt.LabelKeyVersion.Should().Be("v1");
        (await Storage.Receipts(_table).GetAsync(key, CancellationToken.None))!.LabelKeyVersion.Should().Be("v1", "a fresh client reads the version from the entity");
        await store.FailAsync(key, first, "IOException: storage unreachable", counted: true, CancellationToken.None);

        var second = ClaimOwner.New();
        var retry = await Storage.Receipts(_table).TryClaimAsync(key, new ClaimRequest(laterPath, second, now.AddMinutes(1), lease, "v2"), CancellationToken.None);

        retry.Status.Should().Be(ClaimStatus.Claimed);
        retry.Previous.Should().NotBeNull();
        retry.Previous!.Should().BeEquivalentTo(new { SourcePath = earlierPath, LabelKeyVersion = "v1", State = ReceiptState.Failed }, "the replaced receipt is the failed attempt's, as stored");
        retry.Receipt.Should().BeEquivalentTo(new { SourcePath = laterPath, LabelKeyVersion = "v2" });
        (await store.GetAsync(key, CancellationToken.None))!.LabelKeyVersion.Should().Be("v2", "the takeover stored the new attempt's version");

        await store.CompleteAsync(key, second, ReceiptRules.Stored, "police-9999", CancellationToken.None);
        var duplicate = await store.TryClaimAsync(key, new ClaimRequest(earlierPath, ClaimOwner.New(), now.AddMinutes(2), lease, "v3"), CancellationToken.None);
        duplicate.Status.Should().Be(ClaimStatus.AlreadyCompleted);
        duplicate.Previous!.LabelKeyVersion.Should().Be("v2", "a completed receipt keeps the version of the attempt that stored it");
        (await store.ListAsync(_ => { }, CancellationToken.None).SingleAsync(r => r.Key == key)).LabelKeyVersion.Should().Be("v2");

        // A receipt written before the version was recorded reads back as not recorded, not as some version.
        var older = new ReceiptKey("police", "police-da-incidents", new string('8', 64));
        await store.TryClaimAsync(older, new ClaimRequest(earlierPath, ClaimOwner.New(), now, lease), CancellationToken.None);
        (await store.GetAsync(older, CancellationToken.None))!.LabelKeyVersion.Should().BeNull();
    }

    [Fact]
    public async Task A_claim_keeps_its_owner_through_heartbeats_and_is_taken_over_once_its_lease_lapses_or_its_process_is_gone()
    {
        var store = Storage.Receipts(_table);
        var key = new ReceiptKey("police", "police-da-incidents", new string('d', 64));
        var lease = TimeSpan.FromMinutes(2);
        var now = DateTimeOffset.UtcNow;
        var holder = ClaimOwner.New();
        var other = ClaimOwner.New();
        ClaimRequest Request(ClaimOwner owner, double minutes) => new("landing/police/police-da-incidents/file-0a1b2c3d.csv", owner, now.AddMinutes(minutes), lease);

        (await store.TryClaimAsync(key, Request(holder, 0), CancellationToken.None)).Status.Should().Be(ClaimStatus.Claimed);
        (await store.GetAsync(key, CancellationToken.None))!.Owner.Should().Be(holder, "the owner travels in the table entity");
        (await store.RenewAsync(key, holder, now.AddMinutes(1.5), CancellationToken.None)).Should().BeTrue();
        (await store.RenewAsync(key, other, now.AddMinutes(1.5), CancellationToken.None)).Should().BeFalse("only the holder renews its claim");
        (await store.TryClaimAsync(key, Request(other, 3), CancellationToken.None)).Status.Should().Be(ClaimStatus.HeldByAnother, "the heartbeat at 1.5 minutes keeps it live until 3.5");

        var takeover = await store.TryClaimAsync(key, Request(other, 4), CancellationToken.None);
        takeover.Status.Should().Be(ClaimStatus.Claimed, "the lease lapsed without a heartbeat");
        takeover.Receipt.FailedAttempts.Should().Be(1, "a lapsed claim counts as a failed attempt");
        (await store.RenewAsync(key, holder, now.AddMinutes(4), CancellationToken.None)).Should().BeFalse("the stalled holder learns its claim was taken over");
        (await store.FailAsync(key, holder, "IOException: gone", counted: true, CancellationToken.None)).Owner.Should().Be(other, "the old holder cannot end the new owner's attempt");

        // A claim whose process is gone from this machine (same id, another start) is taken over at once, lease or not.
        var crashed = new ReceiptKey("police", "police-da-incidents", new string('e', 64));
        var dead = new ClaimOwner(ProcessIdentity.Current with { StartedAt = ProcessIdentity.Current.StartedAt.AddHours(-1) }, "dead");
        await store.TryClaimAsync(crashed, Request(dead, 0), CancellationToken.None);
        (await store.TryClaimAsync(crashed, Request(other, 0.1), CancellationToken.None)).Status.Should().Be(ClaimStatus.Claimed);
    }
}
