using DataHub.Testing;
using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Ingestion;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;

namespace DataHub.Kpis.Tests.Governance;

/// <summary>Deliveries read back from audit events: one per file received, its outcome and counts; a retry after a failure is the same delivery.</summary>
public sealed class DeliveryLedgerTests
{
    private static readonly DateTimeOffset At = new(2025, 5, 2, 8, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<AuditEvent> Events(params AuditEntry[] entries)
    {
        var events = new List<AuditEvent>();
        foreach (var entry in entries)
        {
            events.Add(UnkeyedAudit.Seal(entry, events.LastOrDefault(), At.AddMinutes(events.Count)));
        }

        return events;
    }

    private static AuditEntry Police(string kind, string sha, string? rule = null, Dictionary<string, long>? counts = null) =>
        new(kind, "police", "police-da-incidents", "DSA-FS-2024-POL-01", sha, "landing/police/police-da-incidents/may.csv", "police-" + sha[..16], rule, Counts: counts);

    // An attempt at the file at path that read and pseudonymised 10 rows, all accepted; what it did next is the test's.
    private static AuditEntry[] Attempt(string sha, string path) =>
    [
        Police(AuditKinds.Received, sha) with { Path = path, BatchId = null },
        Police(AuditKinds.Validated, sha, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 10, ["rows_rejected"] = 0 }) with { Path = path },
        Police(AuditKinds.Pseudonymised, sha, counts: new() { ["rows"] = 10 }) with { Path = path },
    ];

    [Fact]
    public void A_retry_after_a_failed_attempt_is_the_same_delivery_and_a_resend_is_a_duplicate()
    {
        var a = new string('a', 64);
        var deliveries = DeliveryLedger.From(Events(
            Police(AuditKinds.Received, a),
            Police(AuditKinds.Failed, a, "ingest.failed"),
            Police(AuditKinds.Received, a),
            Police(AuditKinds.Validated, a, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 10, ["rows_rejected"] = 0 }),
            Police(AuditKinds.Pseudonymised, a, counts: new() { ["rows"] = 10 }) with { Detail = "Identifiers turned into tokens under key version v3 and dropped." },
            Police(AuditKinds.Archived, a),
            Police(AuditKinds.Received, a),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate")));

        deliveries.Should().HaveCount(2);
        deliveries[0].Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 2, RowsRead = 10L, RowsStored = 10L, KeyVersion = "v3", FirstSequence = 1L });
        deliveries[1].Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Duplicate, Rule = "receipt.duplicate", RowsStored = 0L, FirstSequence = 7L });
    }

    [Fact]
    public void Two_files_of_the_same_content_delivered_at_once_are_each_accounted_for_with_their_own_outcome()
    {
        // What `datahub ingest` of one file and of a copy under another name, started together, records: the copy waits
        // (in_progress) while the first is stored, then is received again and found a duplicate.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        static AuditEntry At(AuditEntry e, string path) => e with { Path = path };
        const string first = "landing/police/police-da-incidents/file-11111111.csv";
        const string copy = "landing/police/police-da-incidents/file-22222222.csv";
        var deliveries = DeliveryLedger.From(Events(
            At(Police(AuditKinds.Received, a) with { BatchId = null }, first),
            At(Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null }, first),
            At(Police(AuditKinds.Received, a) with { BatchId = null }, copy),
            At(Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null }, copy),
            At(Police(AuditKinds.InProgress, a, "receipt.held") with { BatchId = null }, copy),
            At(Police(AuditKinds.Validated, a, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 10, ["rows_rejected"] = 0 }), first),
            At(Police(AuditKinds.Pseudonymised, a, counts: new() { ["rows"] = 10, ["rows_with_name_dob"] = 10 }), first),
            At(Police(AuditKinds.Written, a), $"secure/police-da-incidents/quarter=2025Q1/{batch}.0123456789abcdef.parquet"),
            At(Police(AuditKinds.Written, a), $"secure/police-da-incidents/_batches/{batch}.json"),
            At(Police(AuditKinds.Archived, a), $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv"),
            At(Police(AuditKinds.Received, a) with { BatchId = null }, copy),
            At(Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null }, copy),
            At(Police(AuditKinds.Duplicate, a, "receipt.duplicate"), copy),
            At(Police(AuditKinds.Archived, a, "receipt.duplicate"), $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv.duplicate-20250502T080013000")));

        deliveries.Should().HaveCount(2, "two files were sent");
        deliveries[0].Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, RowsRead = 10L, RowsStored = 10L, Batch = batch, FirstSequence = 1L });
        deliveries[0].DataQuarters.Should().Equal(Quarter.Parse("2025Q1"));
        deliveries[1].Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Duplicate, Rule = "receipt.duplicate", RowsRead = 0L, RowsStored = 0L, FirstSequence = 3L });
        deliveries[1].RowsWithKey.Should().BeEmpty("the copy stored nothing");
        deliveries[1].DataQuarters.Should().BeEmpty();
    }

    [Fact]
    public void An_attempt_cut_off_by_a_stopped_process_and_taken_up_again_is_the_same_delivery()
    {
        // kill -9 after the file was received: no outcome was recorded; the next run receives the same file again.
        var a = new string('a', 64);
        var deliveries = DeliveryLedger.From(Events(
            Police(AuditKinds.Received, a) with { BatchId = null },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null },
            Police(AuditKinds.Received, a) with { BatchId = null },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null },
            Police(AuditKinds.Validated, a, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 10, ["rows_rejected"] = 0 }),
            Police(AuditKinds.Pseudonymised, a, counts: new() { ["rows"] = 10 }),
            Police(AuditKinds.Archived, a)));

        deliveries.Should().ContainSingle("one file was sent, and it was stored").Which
            .Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 2, RowsStored = 10L, FirstSequence = 1L });
    }

    // The file at path received (its label is its path's last part), its received event worded as the hub words it.
    private static AuditEntry ReceivedAt(string sha, string path) =>
        Police(AuditKinds.Received, sha) with { Path = path, BatchId = null, Detail = $"Received {path[(path.LastIndexOf('/') + 1)..]}." };

    // The retry event of the file at path, whose earlier attempt the receipt records at earlier under key version.
    private static AuditEntry RetryOf(string sha, string path, string earlier, string version, bool earlierStored = false) =>
        Police(AuditKinds.Retry, sha) with { Path = path, Detail = IngestExtract.RetryDetail(earlier, version, earlierStored) };

    private const string FileV1 = "landing/police/police-da-incidents/file-11111111.csv";
    private const string FileV2 = "landing/police/police-da-incidents/file-22222222.csv";

    [Fact]
    public void A_stopped_attempt_retried_under_a_new_key_is_one_delivery_by_its_retry_event()
    {
        // The key turned between a stopped attempt and its retry, and with it the file's label: the retry event says which
        // earlier attempt (by its safe path) this file is the retry of.
        var a = new string('a', 64);
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV1, BatchId = null },
            ReceivedAt(a, FileV2),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            RetryOf(a, FileV2, FileV1, "v1"),
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/police-{a[..16]}/file-22222222.csv" }]));

        deliveries.Should().ContainSingle("one file was sent").Which
            .Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 2, RowsStored = 10L, FirstSequence = 1L });
    }

    [Fact]
    public void A_retry_killed_again_and_retried_under_the_same_new_key_is_still_one_delivery()
    {
        // Stopped under v1, retried under v2 and stopped again, then taken up a third time under v2: the third attempt's
        // label is the second's, which the delivery took as its own when the retry joined it.
        var a = new string('a', 64);
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV1, BatchId = null },
            ReceivedAt(a, FileV2),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            RetryOf(a, FileV2, FileV1, "v1"),
            ReceivedAt(a, FileV2),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/police-{a[..16]}/file-22222222.csv" }]));

        deliveries.Should().ContainSingle("one file was sent").Which
            .Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 3, RowsStored = 10L, FirstSequence = 1L });
    }

    [Fact]
    public void A_copy_found_a_duplicate_under_a_new_key_while_the_first_file_is_being_stored_is_a_row_of_its_own()
    {
        // A is received under v1 and commits its batch; the key turns; copy B of the same content, received under v2, is
        // found already stored before A records its archiving. B is not A's retry (no retry event names A, and the log
        // records no rotation, as with a new Key Vault secret version; after an audited one B would be taken as A's retry).
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            ReceivedAt(a, FileV2),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv.duplicate-20250502T080011000" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            (DeliveryOutcomes.Stored, 1, 10L),
            (DeliveryOutcomes.Duplicate, 1, 0L));
    }

    [Fact]
    public void A_new_file_of_stored_content_after_a_rotation_is_not_joined_to_a_delivery_stopped_before_its_archiving()
    {
        // A was stored and its process killed after its landing copy was removed, before its archiving was recorded: its row
        // stays at received. Months later, after a rotation the log does not record (a new Key Vault secret version), the
        // partner sends the same content as a new file: a duplicate.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            ReceivedAt(a, FileV2),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv.duplicate-20250502T080011000" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts)).Should().Equal(
            (DeliveryOutcomes.Received, 1),
            (DeliveryOutcomes.Duplicate, 1));
    }

    [Fact]
    public void A_retry_event_naming_a_delivery_that_was_stored_joins_nothing()
    {
        // Only a delivery that failed or recorded no outcome takes a retry: a stored one's file is no longer waiting, so the
        // file at its landing path now is the same name sent again (as the event, written for a stored receipt, allows).
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv" },
            ReceivedAt(a, FileV2),
            RetryOf(a, FileV2, FileV1, "v1", earlierStored: true),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts)).Should().Equal(
            (DeliveryOutcomes.Stored, 1),
            (DeliveryOutcomes.Duplicate, 1));
    }

    [Fact]
    public void A_file_whose_attempt_was_stopped_after_its_batch_was_committed_is_stored_when_taken_up_again_not_a_duplicate_of_itself()
    {
        // kill -9 between the batch manifest's commit and the archive: the next run finds the content stored and calls the
        // file a duplicate of its own batch. Its rows are in the marts all the same, and no other delivery stored them.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events(
            Police(AuditKinds.Received, a) with { BatchId = null },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null },
            Police(AuditKinds.Validated, a, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 9, ["rows_rejected"] = 1 }),
            Police(AuditKinds.Pseudonymised, a, counts: new() { ["rows"] = 9 }),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/quarter=2025Q1/{batch}.0123456789abcdef.parquet" },
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Received, a) with { BatchId = null },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate"),
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/may.csv.duplicate-20250502T080008000" }));

        deliveries.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Outcome = DeliveryOutcomes.PartlyRejected, Rule = (string?)null, Attempts = 2, RowsRead = 10L, RowsStored = 9L, RowsRejected = 1L, Batch = batch,
        });
        deliveries[0].DataQuarters.Should().Equal(Quarter.Parse("2025Q1"));
    }

    [Fact]
    public void A_file_picked_up_twice_at_once_is_stored_by_the_attempt_that_stored_it_not_left_in_progress()
    {
        // The sweep beside the queue trigger takes up a file the trigger still handles: its attempt waits (in_progress)
        // while the first stores the file.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events(
            Police(AuditKinds.Received, a) with { BatchId = null },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null },
            Police(AuditKinds.Received, a) with { BatchId = null },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { BatchId = null },
            Police(AuditKinds.InProgress, a, "receipt.held") with { BatchId = null },
            Police(AuditKinds.Validated, a, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 10, ["rows_rejected"] = 0 }),
            Police(AuditKinds.Pseudonymised, a, counts: new() { ["rows"] = 10 }),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/may.csv" }));

        deliveries.Should().ContainSingle("one file was sent").Which
            .Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 2, RowsStored = 10L });
    }

    [Fact]
    public void A_retry_goes_to_the_file_its_path_names_not_to_a_failed_copy_of_the_same_content()
    {
        // Two files of one content: A waits while B is processed, B fails, and A is taken up again first.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileA = "landing/police/police-da-incidents/file-11111111.csv";
        const string fileB = "landing/police/police-da-incidents/file-22222222.csv";
        var deliveries = DeliveryLedger.From(Events([
            Police(AuditKinds.Received, a) with { Path = fileB, BatchId = null },
            Police(AuditKinds.Received, a) with { Path = fileA, BatchId = null },
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = fileA, BatchId = null },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = fileB },
            .. Attempt(a, fileA),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            (DeliveryOutcomes.Failed, 1, 0L),
            (DeliveryOutcomes.Stored, 2, 10L));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Another_file_of_the_same_content_sent_after_a_failure_is_its_own_delivery_not_the_failed_files_retry(bool failedFileTakenUpAgain)
    {
        // A fails and waits in landing; the partner sends B, the same content under another name, which is stored. Under
        // one key B's label is not A's, and no retry event names A: B is another file. A taken up again is a duplicate.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileA = "landing/police/police-da-incidents/file-11111111.csv";
        const string fileB = "landing/police/police-da-incidents/file-22222222.csv";
        AuditEntry[] retriedA = failedFileTakenUpAgain
            ? [
                ReceivedAt(a, fileA),
                Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = fileA },
                Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv.duplicate-20250502T080011000" }]
            : [];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, fileA),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = fileA, BatchId = null },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = fileA },
            ReceivedAt(a, fileB),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = fileB, BatchId = null },
            .. Attempt(a, fileB).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" },
            .. retriedA]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored, d.FirstSequence)).Should().Equal(
            failedFileTakenUpAgain ? (DeliveryOutcomes.Duplicate, 2, 0L, 1L) : (DeliveryOutcomes.Failed, 1, 0L, 1L),
            (DeliveryOutcomes.Stored, 1, 10L, 4L));
    }

    [Theory]
    [InlineData("pseudonymisation key rotated after the failure", true)]
    [InlineData("audit key rotated after the failure", false)]
    [InlineData("no rotation", false)]
    [InlineData("pseudonymisation key rotated before the failed attempt", false)]
    [InlineData("pseudonymisation key rotated during the failed attempt", true)]
    public void A_new_label_after_a_failure_joins_it_without_a_retry_event_only_when_a_pseudonymisation_key_rotation_lies_between(string log, bool joined)
    {
        // As a log from before retry events, or one whose retry event could not be written, tells a failed file retried after
        // a rotation: only a rotation since the failed attempt began (its label is made as it starts) can give the same name
        // a new label.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        AuditEntry[] rotation = log.StartsWith("pseudonymisation", StringComparison.Ordinal) ? [KeyRotations.Pseudonymisation("v2")]
            : log.StartsWith("audit", StringComparison.Ordinal) ? [KeyRotations.Audit("v2")]
            : [];
        var before = log.EndsWith("before the failed attempt", StringComparison.Ordinal);
        var during = log.EndsWith("during the failed attempt", StringComparison.Ordinal);
        var deliveries = DeliveryLedger.From(Events([
            .. before ? rotation : [],
            ReceivedAt(a, FileV1),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV1, BatchId = null },
            .. during ? rotation : [],
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            .. before || during ? [] : rotation,
            ReceivedAt(a, FileV2),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            joined ? [(DeliveryOutcomes.Stored, 2, 10L)] : [(DeliveryOutcomes.Failed, 1, 0L), (DeliveryOutcomes.Stored, 1, 10L)],
            log);
    }

    [Theory]
    [InlineData("v1", "v2", "none", true, "the key turned in Key Vault, where no rotation is audited")]
    [InlineData("v2", "v2", "none", false, "under one key a new label is a new name")]
    [InlineData("v2", "v2", "between", false, "the failed attempt had read the new key before the rotation's event was appended")]
    [InlineData("v1", "v2", "before", true, "the failed attempt had read the old key just before it turned, and was received after the rotation's event")]
    [InlineData(null, "v2", "between", true, "the failed attempt's event is older than recorded versions: the audited rotation bounds it")]
    [InlineData(null, null, "between", true, "a log from before recorded versions: the audited rotation bounds it")]
    [InlineData(null, null, "none", false, "a log from before recorded versions, with no rotation audited")]
    public void A_new_label_after_a_failure_joins_it_without_a_retry_event_when_its_received_events_name_two_key_versions(string? failedUnder, string? retriedUnder, string rotation, bool joined, string because)
    {
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        AuditEntry[] rotated = [KeyRotations.Pseudonymisation("v2")];
        var deliveries = DeliveryLedger.From(Events([
            .. rotation == "before" ? rotated : [],
            ReceivedAt(a, FileV1) with { LabelKeyVersion = failedUnder },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV1, BatchId = null },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            .. rotation == "between" ? rotated : [],
            ReceivedAt(a, FileV2) with { LabelKeyVersion = retriedUnder },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            joined ? [(DeliveryOutcomes.Stored, 2, 10L)] : [(DeliveryOutcomes.Failed, 1, 0L), (DeliveryOutcomes.Stored, 1, 10L)],
            because);
    }

    [Fact]
    public void A_new_label_under_a_key_version_a_waiting_delivery_was_already_labelled_under_is_another_file()
    {
        // X fails under v2, a stale worker still holding v1 takes it up (rightly joined: its label is X's under v1) and fails
        // too. Y, another file of the content, is received under v2: X's label under v2 is known and is not Y's, so Y is not X.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string FileY = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV2) with { LabelKeyVersion = "v2" },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV2 },
            ReceivedAt(a, FileV1) with { LabelKeyVersion = "v1" },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            ReceivedAt(a, FileY) with { LabelKeyVersion = "v2" },
            .. Attempt(a, FileY).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-33333333.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts)).Should().Equal(
            [(DeliveryOutcomes.Failed, 2), (DeliveryOutcomes.Stored, 1)],
            "X was labelled under v2 before, so a v2 label that is not X's is another file's");
    }

    [Fact]
    public void A_file_guessed_to_be_a_stopped_files_retry_is_its_own_delivery_once_that_file_is_retried_with_a_retry_event_under_the_same_key_version()
    {
        // X stops under v1; Y, another file of the content, is received under v2 and taken as X's retry (nothing says
        // otherwise yet), and fails. X is then taken up under v2 and its retry event names its v1 label: X's v2 label is
        // its own, so Y was never X. Y, retried at its own path, stays its own row.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string FileY = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1) with { LabelKeyVersion = "v1" },
            ReceivedAt(a, FileY) with { LabelKeyVersion = "v2" },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileY },
            ReceivedAt(a, FileV2) with { LabelKeyVersion = "v2" },
            RetryOf(a, FileV2, FileV1, "v1"),
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" },
            ReceivedAt(a, FileY) with { LabelKeyVersion = "v2" },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileY },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-33333333.csv.duplicate-20250502T080011000" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored, d.FirstSequence)).Should().Equal(
            [(DeliveryOutcomes.Stored, 2, 10L, 1L), (DeliveryOutcomes.Duplicate, 2, 0L, 2L)],
            "X was received twice and stored; Y failed, then was found a duplicate");
    }

    // The file at path received with its label made under key version, then failed.
    private static AuditEntry[] FailedUnder(string sha, string path, string? version) =>
        [ReceivedAt(sha, path) with { LabelKeyVersion = version }, Police(AuditKinds.Failed, sha, "ingest.failed") with { Path = path }];

    private const string FileX1 = "landing/police/police-da-incidents/file-x1.csv";
    private const string FileX2 = "landing/police/police-da-incidents/file-x2.csv";
    private const string FileX3 = "landing/police/police-da-incidents/file-x3.csv";
    private const string FileY1 = "landing/police/police-da-incidents/file-y1.csv";

    [Fact]
    public void A_label_under_a_version_the_files_retry_event_shows_another_label_for_does_not_join_the_row_that_retry_is_taken_into()
    {
        // X fails under v1 and is taken up under v2 (its retry event, written later, names X1). Y, another file of the
        // content, is received under v1 before that event: X's row for X2 holds only v2, but X's label under v1 is X1.
        var a = new string('a', 64);
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, "v1"),
            ReceivedAt(a, FileX2) with { LabelKeyVersion = "v2" },
            .. FailedUnder(a, FileY1, "v1"),
            RetryOf(a, FileX2, FileX1, "v1"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX2 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.FirstSequence)).Should().Equal(
            [(DeliveryOutcomes.Failed, 2, 1L), (DeliveryOutcomes.Failed, 1, 4L)], "X was received twice; Y once");
    }

    [Fact]
    public void A_label_under_a_version_a_later_retry_event_shows_another_label_for_is_not_carried_into_the_row_by_an_earlier_retry()
    {
        // X fails under v1, is received under v2, and Y under v3 waits while X2 is claimed (X2's retry event names X1). X is
        // then taken up under v3 and its retry event names X2: X's label under v3 is X3, so Y was never X.
        var a = new string('a', 64);
        const string FileY3 = "landing/police/police-da-incidents/file-y3.csv";
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, "v1"),
            ReceivedAt(a, FileX2) with { LabelKeyVersion = "v2" },
            ReceivedAt(a, FileY3) with { LabelKeyVersion = "v3" },
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = FileY3, BatchId = null },
            RetryOf(a, FileX2, FileX1, "v1"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX2 },
            ReceivedAt(a, FileX3) with { LabelKeyVersion = "v3" },
            RetryOf(a, FileX3, FileX2, "v2"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX3 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.FirstSequence)).Should().Equal(
            [(DeliveryOutcomes.Failed, 3, 1L), (DeliveryOutcomes.InProgress, 1, 4L)], "X was received three times; Y once");
    }

    [Fact]
    public void A_guessed_join_of_one_content_does_not_bar_another_contents_retry_under_the_same_file_name()
    {
        // X1 fails with content a under v1; the partner replaces it with content b at the same name, which fails too. Under
        // v2, Y2 (content a, no retry event) is guessed to be X's retry; then X is taken up with content b as X2, also with no
        // retry event (the v1 key could not be read). The guess holds for content a's row only: it must not say that X's
        // label under v2 is Y2, or X2 is refused its own delivery and left a row of its own.
        var a = new string('a', 64);
        var b = new string('b', 64);
        const string FileY2 = "landing/police/police-da-incidents/file-y2.csv";
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, "v1"),
            .. FailedUnder(b, FileX1, "v1"),
            .. FailedUnder(a, FileY2, "v2"),
            .. FailedUnder(b, FileX2, "v2")]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.FirstSequence)).Should().Equal(
            [(DeliveryOutcomes.Failed, 2, 1L), (DeliveryOutcomes.Failed, 2, 3L)], "each content's file was taken up again under v2");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(100)]
    public void Copies_under_the_version_a_waiting_files_retry_event_shows_its_label_for_are_each_their_own_row(int copies)
    {
        // X waits under v1; copies of its content arrive under v2 with no retry event; then X is taken up under v2 and its
        // retry event names X1. X's label under v2 is X2, so none of the copies was X, and the log is read once.
        var a = new string('a', 64);
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, "v1"),
            .. Enumerable.Range(0, copies).SelectMany(i => FailedUnder(a, $"landing/police/police-da-incidents/copy-{i}.csv", "v2")),
            ReceivedAt(a, FileX2) with { LabelKeyVersion = "v2" },
            RetryOf(a, FileX2, FileX1, "v1"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX2 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts)).Should().Equal(
            [(DeliveryOutcomes.Failed, 2), .. Enumerable.Repeat((DeliveryOutcomes.Failed, 1), copies)], "X was received twice; each copy once");
        deliveries.Skip(1).Select(d => d.FirstSequence).Should().Equal(Enumerable.Range(0, copies).Select(i => 3L + (2L * i)));
    }

    [Fact]
    public void A_guessed_join_stands_when_the_files_retry_event_shows_its_label_under_a_third_version()
    {
        // Y, under v2, is taken as X's retry; X is then taken up under v3 with its retry event naming X1: nothing shows X's
        // label under v2, so the log cannot tell Y from X (the documented limit) and the three attempts are one row.
        var a = new string('a', 64);
        const string FileY2 = "landing/police/police-da-incidents/file-y2.csv";
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, "v1"),
            .. FailedUnder(a, FileY2, "v2"),
            ReceivedAt(a, FileX3) with { LabelKeyVersion = "v3" },
            RetryOf(a, FileX3, FileX1, "v1"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX3 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts)).Should().Equal([(DeliveryOutcomes.Failed, 3)]);
    }

    [Fact]
    public void A_label_whose_name_the_retry_events_show_with_another_label_than_the_waiting_files_under_one_version_is_another_file()
    {
        // Y2 (v2) would be taken as X's retry; but both files are later taken up under v3 with retry events (X3 naming X1,
        // Y3 naming Y2): under v3 X's name is X3 and Y2's is Y3, so Y2 was never X.
        var a = new string('a', 64);
        const string FileY2 = "landing/police/police-da-incidents/file-y2.csv";
        const string FileY3 = "landing/police/police-da-incidents/file-y3.csv";
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, "v1"),
            .. FailedUnder(a, FileY2, "v2"),
            ReceivedAt(a, FileX3) with { LabelKeyVersion = "v3" },
            RetryOf(a, FileX3, FileX1, "v1"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX3 },
            ReceivedAt(a, FileY3) with { LabelKeyVersion = "v3" },
            RetryOf(a, FileY3, FileY2, "v2"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileY3 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.FirstSequence)).Should().Equal(
            [(DeliveryOutcomes.Failed, 2, 1L), (DeliveryOutcomes.Failed, 2, 3L)], "X and Y were each received twice");
    }

    [Fact]
    public void A_guessed_join_in_a_log_whose_received_events_record_no_key_version_is_never_split()
    {
        // From before received events recorded their label's version: Y joins X across the audited rotation, and X's retry
        // event, though it names X1, cannot say under which version X2 and Y2 were labelled.
        var a = new string('a', 64);
        const string FileY2 = "landing/police/police-da-incidents/file-y2.csv";
        var deliveries = DeliveryLedger.From(Events([
            .. FailedUnder(a, FileX1, null),
            new AuditEntry(AuditKinds.KeyRotated, Rule: "key.rotated", Detail: "Pseudonymisation key turned to v2."),
            .. FailedUnder(a, FileY2, null),
            ReceivedAt(a, FileX2),
            RetryOf(a, FileX2, FileX1, "v1"),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileX2 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts)).Should().Equal([(DeliveryOutcomes.Failed, 3)]);
    }

    [Fact]
    public void A_file_taken_up_by_two_workers_holding_two_key_versions_is_one_delivery()
    {
        // On Azure each worker caches the current secret version for up to five minutes: across a rotation one worker names
        // the file under the old version, the other under the new, and the second finds the first's claim held.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1) with { LabelKeyVersion = "v1" },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV1, BatchId = null },
            ReceivedAt(a, FileV2) with { LabelKeyVersion = "v2" },
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = FileV2, BatchId = null },
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal([(DeliveryOutcomes.Stored, 2, 10L)], "one file was sent, and stored once");
    }

    [Fact]
    public void A_stored_batch_audited_failed_and_taken_up_under_a_new_key_vault_version_without_a_retry_event_counts_on_one_stored_row()
    {
        // As on Azure: the key turned in Key Vault (no key_rotated event), and the batch the first attempt committed before
        // its completion's reply was lost is counted, once, on the row of the file taken up again under the new version.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1) with { LabelKeyVersion = "v1" },
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            ReceivedAt(a, FileV2) with { LabelKeyVersion = "v2" },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv.duplicate-20250502T080011000" }]));

        deliveries.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 2, RowsStored = 10L });
    }

    [Fact]
    public void A_stored_batch_audited_failed_and_taken_up_after_a_rotation_without_a_retry_event_counts_on_one_stored_row()
    {
        // The attempt committed its manifest and completed the receipt, but the completion's reply was lost and it was audited
        // failed; after the rotation the file is found already stored. Its rows are in the marts: one row counts them.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            KeyRotations.Pseudonymisation("v2"),
            ReceivedAt(a, FileV2),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv.duplicate-20250502T080011000" }]));

        deliveries.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, Attempts = 2, RowsStored = 10L });
    }

    [Fact]
    public void A_retry_event_decides_which_failed_delivery_a_new_label_joins_over_the_latest_failure()
    {
        // A fails, then B (another name, same content) fails; after a rotation A is retried, and its retry event names A's
        // earlier path. Without the event the new label would join B, the latest failure; with it, it joins A only.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileB = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            ReceivedAt(a, fileB),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = fileB },
            KeyRotations.Pseudonymisation("v2"),
            ReceivedAt(a, FileV2),
            Police(AuditKinds.ProtocolDecision, a, "protocol.allowed") with { Path = FileV2, BatchId = null },
            RetryOf(a, FileV2, FileV1, "v1"),
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored, d.FirstSequence)).Should().Equal(
            (DeliveryOutcomes.Stored, 2, 10L, 1L),
            (DeliveryOutcomes.Failed, 1, 0L, 3L));
    }

    [Fact]
    public void A_stored_batch_audited_failed_and_taken_up_after_a_rotation_joins_its_own_row_not_a_later_waiting_copy()
    {
        // A commits its batch; copy B (another name, same content) waits while A holds the claim; A's completion reply is
        // lost (audited failed); after a rotation A is taken up again with no retry event and found already stored. The
        // batch's committer is A's row: the new label joins it, not B (the later waiting delivery), so its rows count once.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileB = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            .. Attempt(a, FileV1).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            ReceivedAt(a, fileB),
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = fileB, BatchId = null },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            KeyRotations.Pseudonymisation("v2"),
            ReceivedAt(a, FileV2),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv.duplicate-20250502T080011000" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            (DeliveryOutcomes.Stored, 2, 10L),
            (DeliveryOutcomes.InProgress, 1, 0L));
        deliveries.Sum(d => d.RowsStored).Should().Be(10, "the marts hold the batch once");
    }

    [Fact]
    public void A_file_picked_up_by_two_workers_after_a_rotation_joins_the_delivery_its_retry_event_names_and_no_row_disappears()
    {
        // A and B (same content) both failed; after a rotation two workers take up A's file at once: both are received at
        // its new label before one writes the retry event naming A's earlier path. Neither receipt is a guess by content.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileB = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            ReceivedAt(a, fileB),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = fileB },
            KeyRotations.Pseudonymisation("v2"),
            ReceivedAt(a, FileV2),
            ReceivedAt(a, FileV2),
            RetryOf(a, FileV2, FileV1, "v1"),
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = FileV2, BatchId = null },
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored, d.FirstSequence)).Should().Equal(
            (DeliveryOutcomes.Stored, 3, 10L, 1L),
            (DeliveryOutcomes.Failed, 1, 0L, 3L));
    }

    [Fact]
    public void A_new_file_after_a_retry_joined_across_a_rotation_failed_again_is_its_own_row_when_no_further_rotation_lies_between()
    {
        // A fails; after a rotation its file, taken up again without a retry event, joins it and fails again. Its label is
        // now made under the new key, so a new label of the same content with no rotation since is another file.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileC = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, FileV1),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            KeyRotations.Pseudonymisation("v2"),
            ReceivedAt(a, FileV2),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV2 },
            ReceivedAt(a, fileC),
            .. Attempt(a, fileC).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-33333333.csv" }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            (DeliveryOutcomes.Failed, 2, 0L),
            (DeliveryOutcomes.Stored, 1, 10L));
    }

    [Fact]
    public void A_stored_files_name_sent_again_under_the_same_key_does_not_join_an_older_waiting_delivery()
    {
        // B and A (same content) fail; after a rotation A's file joins A and is stored. The same name sent again under the
        // same key has A's label: a duplicate of its own, not a retry of B, however long B has waited.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileB = "landing/police/police-da-incidents/file-33333333.csv";
        var deliveries = DeliveryLedger.From(Events([
            ReceivedAt(a, fileB),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = fileB },
            ReceivedAt(a, FileV1),
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = FileV1 },
            KeyRotations.Pseudonymisation("v2"),
            ReceivedAt(a, FileV2),
            .. Attempt(a, FileV2).Skip(1),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" },
            ReceivedAt(a, FileV2),
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = FileV2 }]));

        deliveries.Select(d => (d.Outcome, d.Attempts, d.RowsStored)).Should().Equal(
            (DeliveryOutcomes.Failed, 1, 0L),
            (DeliveryOutcomes.Stored, 2, 10L),
            (DeliveryOutcomes.Duplicate, 1, 0L));
    }

    [Theory]
    [InlineData("Pseudonymisation key version v2 is now current: tokens made from here do not join tokens of earlier versions.", true)]
    [InlineData("Audit key version v2 is now current: events from here are sealed under it.", false)]
    [InlineData("Key version v2 is now current.", true)]
    [InlineData(null, true)]
    public void A_key_rotated_event_turns_labels_unless_it_says_the_audit_key_turned(string? detail, bool turnsLabels)
    {
        // The first two are the sentences `datahub key rotate` wrote to logs, literally (not built through KeyRotations, so a
        // change of wording cannot stop old logs being read); any other wording, or none, is taken as a pseudonymisation
        // rotation, the side that keeps a retry's stored batch on its row.
        KeyRotations.TurnsLabels(new AuditEntry(AuditKinds.KeyRotated, Rule: "key.rotated", Detail: detail)).Should().Be(turnsLabels, detail);
    }

    [Fact]
    public void A_file_whose_commit_another_worker_replaced_is_a_duplicate_when_taken_up_again_so_its_rows_count_once()
    {
        // A commits its batch and is killed before its receipt; copy C takes the claim over, commits again (replacing A's
        // manifest) and is stored; A's file, swept again, is found a duplicate of the batch C stored.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileA = "landing/police/police-da-incidents/file-11111111.csv";
        const string fileC = "landing/police/police-da-incidents/file-22222222.csv";
        var manifest = $"secure/police-da-incidents/_batches/{batch}.json";
        var deliveries = DeliveryLedger.From(Events([
            .. Attempt(a, fileA),
            Police(AuditKinds.Written, a) with { Path = manifest },
            .. Attempt(a, fileC),
            Police(AuditKinds.Written, a) with { Path = manifest },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-22222222.csv" },
            Police(AuditKinds.Received, a) with { Path = fileA, BatchId = null },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = fileA },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv.duplicate-20250502T080011000" }]));

        deliveries.Select(d => (d.Outcome, d.RowsStored)).Should().Equal(
            (DeliveryOutcomes.Duplicate, 0L),
            (DeliveryOutcomes.Stored, 10L));
        deliveries.Sum(d => d.RowsStored).Should().Be(10, "the marts hold the batch once");
    }

    [Fact]
    public void A_file_whose_late_commit_was_withdrawn_is_a_duplicate_when_taken_up_again()
    {
        // A stalls past its lease and C takes the claim over; A commits late, finds its claim gone and withdraws its
        // manifest. A's file, swept again, is found a duplicate: its rows are not in the marts.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string fileA = "landing/police/police-da-incidents/file-11111111.csv";
        const string fileC = "landing/police/police-da-incidents/file-22222222.csv";
        var manifest = $"secure/police-da-incidents/_batches/{batch}.json";
        var deliveries = DeliveryLedger.From(Events([
            .. Attempt(a, fileA),
            Police(AuditKinds.Received, a) with { Path = fileC, BatchId = null },
            Police(AuditKinds.Written, a) with { Path = manifest },
            Police(AuditKinds.Deleted, a, "receipt.taken_over") with { Path = manifest },
            Police(AuditKinds.Received, a) with { Path = fileA, BatchId = null },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = fileA }]));

        deliveries[0].Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Duplicate, RowsStored = 0L }, "its commit was withdrawn, so its rows are not in the marts");
    }

    [Fact]
    public void Copies_no_agreement_covers_any_more_still_show_as_deleted_at_the_end_of_their_retention()
    {
        // The agreement ended (or the feed was dropped): retention names no partner or feed. An unrouted file's copy has none either.
        var a = new string('a', 64);
        var b = new string('b', 64);
        var batchA = "police-" + a[..16];
        const string may = "landing/police/police-da-incidents/file-11111111.csv";
        const string unrouted = "quarantine/_unrouted/20250502T080000000-file-33333333.csv";
        static AuditEntry Deleted(string path, string rule) => new(AuditKinds.Deleted, Agreement: "none", Path: path, Rule: rule);
        var deliveries = DeliveryLedger.From(Events([
            .. Attempt(a, may),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batchA}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batchA}/file-11111111.csv" },
            Police(AuditKinds.Received, b) with { Path = may, BatchId = null },
            Police(AuditKinds.Quarantined, b, "header.missing_column") with { Path = $"quarantine/police/police-da-incidents/{b[..16]}-file-11111111.csv" },
            new AuditEntry(AuditKinds.PathRefused, Agreement: "none", Path: unrouted, Rule: "path.unrouted"),
            Deleted($"landing/_processed/police/police-da-incidents/{batchA}/file-11111111.csv", "retention.raw"),
            Deleted($"quarantine/police/police-da-incidents/{b[..16]}-file-11111111.csv", "retention.quarantine"),
            Deleted(unrouted, "retention.quarantine"),
            Deleted($"secure/police-da-incidents/quarter=2025Q1/{batchA}.0123456789abcdef.parquet", "retention.mart")]));

        deliveries.Select(d => (d.Outcome, string.Join(' ', d.RetentionDeleted))).Should().Equal(
            (DeliveryOutcomes.Stored, "raw mart"),
            (DeliveryOutcomes.Quarantined, "quarantine"),
            (DeliveryOutcomes.Refused, "quarantine"));
    }

    [Fact]
    public void A_delivery_says_which_of_its_copies_were_deleted_at_the_end_of_their_retention()
    {
        var a = new string('a', 64);
        var b = new string('b', 64);
        var batchA = "police-" + a[..16];
        var batchB = "police-" + b[..16];
        const string may = "landing/police/police-da-incidents/file-11111111.csv";
        AuditEntry Deleted(string path, string rule) => new(AuditKinds.Deleted, "police", "police-da-incidents", "DSA-FS-2024-POL-01", Path: path, Rule: rule);
        var deliveries = DeliveryLedger.From(Events([
            .. Attempt(a, may),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/quarter=2025Q1/{batchA}.0123456789abcdef.parquet" },
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batchA}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batchA}/file-11111111.csv" },
            Police(AuditKinds.Received, a) with { Path = may, BatchId = null },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = may },
            Police(AuditKinds.Archived, a, "receipt.duplicate") with { Path = $"landing/_processed/police/police-da-incidents/{batchA}/file-11111111.csv.duplicate-20250502T080008000" },
            Police(AuditKinds.Received, b) with { Path = may, BatchId = null },
            Police(AuditKinds.Quarantined, b, "header.missing_column") with { Path = $"quarantine/police/police-da-incidents/{b[..16]}-file-11111111.csv" },
            Deleted($"landing/_processed/police/police-da-incidents/{batchA}/file-11111111.csv", "retention.raw"),
            Deleted($"quarantine/police/police-da-incidents/{b[..16]}-file-11111111.csv", "retention.quarantine"),
            Deleted($"quarantine/police/police-da-incidents/{b[..16]}-file-11111111.csv.report.json", "retention.quarantine"),
            Deleted($"secure/police-da-incidents/_batches/{batchA}.json", "retention.mart"),
            Deleted($"secure/police-da-incidents/quarter=2025Q1/{batchA}.0123456789abcdef.parquet", "retention.mart"),
            Deleted($"secure/kpi/v=20250502T080000Z-1/person_values.parquet", "retention.derived_tables")]));

        deliveries.Select(d => (d.Outcome, string.Join(' ', d.RetentionDeleted))).Should().Equal(
            (DeliveryOutcomes.Stored, "raw mart"),
            (DeliveryOutcomes.Duplicate, ""),
            (DeliveryOutcomes.Quarantined, "quarantine"));
        deliveries[1].Batch.Should().Be(batchA, "a duplicate names the batch it repeats, whose deletion is the stored delivery's");
    }

    [Fact]
    public void A_copy_that_failed_after_pseudonymising_takes_none_of_the_batch_another_file_of_its_content_then_stored()
    {
        // Two files of one content land together: the copy claims it, pseudonymises and fails; the file that waited is taken
        // up again and stores the batch; the copy, taken up again, is a duplicate. The mart events name no file: they are
        // the storing attempt's, so the batch's rows count once and its quarter is the stored file's.
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string file = "landing/police/police-da-incidents/file-11111111.csv";
        const string copy = "landing/police/police-da-incidents/file-22222222.csv";
        var deliveries = DeliveryLedger.From(Events([
            Police(AuditKinds.Received, a) with { Path = file, BatchId = null },
            .. Attempt(a, copy),
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = file, BatchId = null },
            Police(AuditKinds.Failed, a, "ingest.failed") with { Path = copy },
            .. Attempt(a, file),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/quarter=2025Q1/{batch}.0123456789abcdef.parquet" },
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv" },
            Police(AuditKinds.Received, a) with { Path = copy, BatchId = null },
            Police(AuditKinds.Duplicate, a, "receipt.duplicate") with { Path = copy }]));

        deliveries.Select(d => (d.Outcome, d.RowsStored)).Should().Equal((DeliveryOutcomes.Stored, 10L), (DeliveryOutcomes.Duplicate, 0L));
        deliveries[0].DataQuarters.Should().Equal(Quarter.Parse("2025Q1"));
        deliveries[1].DataQuarters.Should().BeEmpty();
    }

    [Fact]
    public void A_second_pickups_wait_audited_after_the_file_was_stored_leaves_it_stored()
    {
        var a = new string('a', 64);
        var batch = "police-" + a[..16];
        const string file = "landing/police/police-da-incidents/file-11111111.csv";
        var deliveries = DeliveryLedger.From(Events([
            Police(AuditKinds.Received, a) with { Path = file, BatchId = null },
            .. Attempt(a, file),
            Police(AuditKinds.Written, a) with { Path = $"secure/police-da-incidents/_batches/{batch}.json" },
            Police(AuditKinds.Archived, a) with { Path = $"landing/_processed/police/police-da-incidents/{batch}/file-11111111.csv" },
            Police(AuditKinds.InProgress, a, "receipt.held") with { Path = file, BatchId = null }]));

        deliveries.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Stored, RowsStored = 10L });
    }

    [Fact]
    public void Rows_an_attempt_pseudonymised_but_never_stored_do_not_count_towards_the_scorecards_linkage_completeness()
    {
        var a = new string('a', 64);
        var b = new string('b', 64);
        const string quarterFile = "secure/police-da-incidents/quarter=2025Q1/police-x.parquet";
        var deliveries = DeliveryLedger.From(Events(
            Police(AuditKinds.Received, a),
            Police(AuditKinds.Validated, a, counts: new() { ["rows_read"] = 10, ["rows_accepted"] = 10, ["rows_rejected"] = 0 }),
            Police(AuditKinds.Pseudonymised, a, counts: new() { ["rows"] = 10, ["rows_with_name_dob"] = 5 }),
            Police(AuditKinds.Written, a) with { Path = quarterFile },
            Police(AuditKinds.Archived, a),
            Police(AuditKinds.Received, b) with { Path = "landing/police/police-da-incidents/june.csv" },
            Police(AuditKinds.Validated, b, counts: new() { ["rows_read"] = 100, ["rows_accepted"] = 100, ["rows_rejected"] = 0 }) with { Path = "landing/police/police-da-incidents/june.csv" },
            Police(AuditKinds.Pseudonymised, b, counts: new() { ["rows"] = 100, ["rows_with_name_dob"] = 100 }) with { Path = "landing/police/police-da-incidents/june.csv" },
            Police(AuditKinds.Written, b) with { Path = quarterFile },
            Police(AuditKinds.Failed, b, "storage.failed") with { Path = "landing/police/police-da-incidents/june.csv" }));
        var protocols = ProtocolLoader.Load(
        [
            ("_profiles.yaml", "disclosure_profiles:\n  standard: {threshold: 4, rounding_base: 5}\n"),
            ("police.yaml", "partner: police\nagreement_id: DSA-FS-2024-POL-01\nlawful_basis: p\nvalid_from: 2024-01-01\nvalid_to: 2030-01-01\n"
                + "feeds:\n  police-da-incidents:\n    purpose: p\n    fields: [incident_id, incident_date, role, forename, surname, date_of_birth, sex, crime, marac_referral]\n"
                + "    retention: {raw_days: 30, mart_days: 100}\n    disclosure_profile: standard\n    expected_cadence: monthly\n    due_day: 15\n"),
        ]);

        deliveries[1].Should().BeEquivalentTo(new { Outcome = DeliveryOutcomes.Failed, RowsStored = 0L });
        deliveries[1].RowsWithKey.Should().BeEmpty("a failed attempt stored no rows, so none with a key");
        var row = ScorecardBuilder.Build(protocols, deliveries, [], [], [Quarter.Parse("2025Q1")], new DateOnly(2025, 6, 1)).Single();
        row.LinkageCompleteness.Should().Be(0.5, "5 of the 10 stored rows carry the key; the failed attempt's 100 were never stored");
    }

    [Fact]
    public void Rows_above_tolerance_quarantine_the_file_and_count_in_rejections_by_rule_with_its_text()
    {
        var b = new string('b', 64);
        var deliveries = DeliveryLedger.From(Events(
            Police(AuditKinds.Received, b),
            Police(AuditKinds.Validated, b, counts: new() { ["rows_read"] = 20, ["rows_accepted"] = 12, ["rows_rejected"] = 8 }),
            Police(AuditKinds.RowsRejected, b, counts: new() { ["date.format"] = 5, ["row.duplicate"] = 3 }),
            Police(AuditKinds.Quarantined, b, "rows.above_tolerance", new() { ["rows_read"] = 20, ["rows_rejected"] = 8 }),
            new AuditEntry(AuditKinds.PathRefused, Agreement: "none", Path: "landing/../secure/x.csv", Rule: "path.traversal")));

        deliveries.Select(d => d.Outcome).Should().Equal(DeliveryOutcomes.Quarantined, DeliveryOutcomes.Refused);
        deliveries[0].RowsStored.Should().Be(0, "a quarantined file stores nothing");
        deliveries[0].DuplicateRows.Should().Be(3);
        var rejections = BoardActivity.Rejections(deliveries);
        rejections.Select(r => (r.Rule, r.RowsRejected, r.FilesQuarantined)).Should().BeEquivalentTo(new[]
        {
            ("date.format", 5L, 0L), ("row.duplicate", 3L, 0L), ("rows.above_tolerance", 0L, 1L), ("path.traversal", 0L, 1L),
        });
        rejections.Single(r => r.Rule == "date.format").RuleText.Should().Be("A date was not written yyyy-mm-dd or dd/mm/yyyy.");
    }

    [Fact]
    public void A_file_the_partner_replaced_before_or_while_the_hub_read_it_is_a_superseded_delivery_and_no_rejection()
    {
        var c = new string('c', 64);
        var deliveries = DeliveryLedger.From(Events(
            new AuditEntry(AuditKinds.Superseded, "police", "police-da-incidents", "DSA-FS-2024-POL-01", Path: "landing/police/police-da-incidents/file-0a1b2c3d.csv", Rule: "landing.superseded"),
            Police(AuditKinds.Received, c),
            Police(AuditKinds.ProtocolDecision, c, "protocol.allowed"),
            Police(AuditKinds.Superseded, c, "landing.changed") with { BatchId = null }));

        deliveries.Select(d => (d.Partner, d.Outcome, d.Rule)).Should().Equal(
            ("police", DeliveryOutcomes.Superseded, "landing.superseded"),
            ("police", DeliveryOutcomes.Superseded, "landing.changed"));
        deliveries.Should().OnlyContain(d => d.RowsStored == 0);
        deliveries[0].Sha256.Should().BeNull("the hub never read the replaced version");
        BoardActivity.Rejections(deliveries).Should().BeEmpty("a partner's replacement is not a rejection");
        RuleTexts.Describe("landing.superseded").Should().Contain("replaced");
    }

    [Fact]
    public void A_misplaced_file_the_partner_replaced_before_the_hub_moved_it_is_a_superseded_delivery_of_no_partner()
    {
        // What ingest audits for a file at a path it does not take whose version went before it could be moved to
        // quarantine: no partner or feed (the folder is not vouched for), its safe path, the superseded rule.
        var deliveries = DeliveryLedger.From(Events(
            new AuditEntry(AuditKinds.Superseded, Agreement: "none", Path: "landing/police/folder-0a1b2c3d/file-4e5f6a7b.csv", Rule: "landing.superseded"),
            new AuditEntry(AuditKinds.PathRefused, Agreement: "none", Path: "quarantine/_unrouted/20250502T080100000-police-folder-0a1b2c3d-file-9c8d7e6f.csv", Rule: "protocol.unknown_feed")));

        deliveries.Select(d => (d.Partner, d.Feed, d.Outcome, d.Rule)).Should().Equal(
            ("", "", DeliveryOutcomes.Superseded, "landing.superseded"),
            ("", "", DeliveryOutcomes.Refused, "protocol.unknown_feed"));
        BoardActivity.Rejections(deliveries).Select(r => r.Rule).Should().Equal(["protocol.unknown_feed"], "a partner's replacement is not a rejection");
    }

    [Fact]
    public void An_agreement_ending_within_90_days_is_expiring_and_the_chain_status_is_listed()
    {
        var protocols = ProtocolLoader.Load(
        [
            ("_profiles.yaml", "disclosure_profiles:\n  standard: {threshold: 4, rounding_base: 5}\n"),
            ("police.yaml", """
                partner: police
                agreement_id: DSA-X
                lawful_basis: "public task"
                valid_from: 2024-01-01
                valid_to: 2025-07-31
                feeds:
                  police-da-incidents:
                    purpose: "p"
                    fields: [incident_id, incident_date, role, forename, surname, date_of_birth, sex, crime, marac_referral]
                    retention: {raw_days: 30, mart_days: 100}
                    disclosure_profile: standard
                    expected_cadence: monthly
                    due_day: 15
                """),
        ]);

        var activity = BoardActivity.Activity([], protocols, new AuditVerification(false, 12, 7, "event 7 was changed"), new DateOnly(2025, 5, 2));

        activity.Should().ContainEquivalentOf(new { Activity = "agreement", Subject = "DSA-X", Status = "expiring", Count = 90L });
        activity.Should().ContainEquivalentOf(new { Activity = "audit_chain", Status = "broken", Detail = "event 7 was changed" });
        BoardActivity.Activity([], protocols, new AuditVerification(false, 12, 7, "event 7 was changed."), new DateOnly(2025, 5, 2), unreadableLines: 2)
            .Should().ContainSingle(r => r.Activity == "audit_chain").Which.Detail.Should().Be(
                "event 7 was changed. 2 audit line(s) that cannot be read were left out of every governance table (deliveries, rejections, scorecard, activity).",
                "the board is told how many lines every table was built without, by count only");
        protocols.Partners[0].Scorecard.Should().Be(ScorecardThresholds.Default, "a protocol without a scorecard block gets the documented defaults");
    }

    [Fact]
    public void The_hubs_clean_up_of_its_own_unfinished_work_is_not_counted_as_retention_deletions()
    {
        var a = new string('a', 64);
        var events = Events(
            Police(AuditKinds.Deleted, a, "retention.mart"),
            Police(AuditKinds.Deleted, a, "retention.raw"),
            Police(AuditKinds.Deleted, a, "cleanup.uncommitted_batch"),
            Police(AuditKinds.Deleted, a, "cleanup.uncommitted_batch"),
            new AuditEntry(AuditKinds.Deleted, Path: "published/kpi/v=20250502T080000Z-1", Rule: "rollup.abandoned_version"));
        var protocols = ProtocolLoader.Load([("_profiles.yaml", "disclosure_profiles:\n  standard: {threshold: 4, rounding_base: 5}\n")]);

        var activity = BoardActivity.Activity(events, protocols, new AuditVerification(true, 5, null, "intact"), new DateOnly(2025, 5, 2));

        activity.Where(r => r.Activity == BoardActivity.RetentionDeletion).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Subject = "police/police-da-incidents", Count = 2L });
        activity.Where(r => r.Activity == BoardActivity.CleanupDeletion).Select(r => (r.Subject, r.Status, r.Count)).Should().BeEquivalentTo(
            [("hub/-", "rollup.abandoned_version", (long?)1), ("police/police-da-incidents", "cleanup.uncommitted_batch", (long?)2)]);
        activity.Single(r => r.Status == "cleanup.uncommitted_batch").Detail.Should().Contain("no batch manifest lists");
    }

    [Fact]
    public void A_rollups_person_tables_deleted_with_their_batch_are_an_activity_of_their_own_not_counted_as_ended_retention()
    {
        var a = new string('a', 64);
        var events = Events(
            Police(AuditKinds.Deleted, a, "retention.mart"),
            Police(AuditKinds.Deleted, a, Core.Retention.EnforceRetention.DerivedTablesRule),
            Police(AuditKinds.Deleted, a, Core.Retention.EnforceRetention.DerivedTablesRule));
        var protocols = ProtocolLoader.Load([("_profiles.yaml", "disclosure_profiles:\n  standard: {threshold: 4, rounding_base: 5}\n")]);

        var activity = BoardActivity.Activity(events, protocols, new AuditVerification(true, 3, null, "intact"), new DateOnly(2025, 5, 2));

        activity.Where(r => r.Activity == BoardActivity.RetentionDeletion).Should().ContainSingle("only the mart deleted at the end of its retention counts as that")
            .Which.Should().BeEquivalentTo(new { Status = "", Count = 1L, Detail = "1 object(s) deleted at the end of their agreement's retention." });
        var derived = activity.Where(r => r.Activity == BoardActivity.DerivedDeletion).Should().ContainSingle().Subject;
        derived.Should().BeEquivalentTo(new { Subject = "police/police-da-incidents", Status = Core.Retention.EnforceRetention.DerivedTablesRule, Count = 2L });
        derived.Detail.Should().Contain("computed from").And.NotContain("end of their agreement's retention");
        BoardActivity.Describe(BoardActivity.DerivedDeletion).Should().NotBe(BoardActivity.Describe(BoardActivity.RetentionDeletion)).And.NotContain("end of its agreement's retention");
        activity.Should().NotContain(r => r.Activity == BoardActivity.CleanupDeletion);
    }

    [Fact]
    public void Scorecard_thresholds_come_from_the_protocol_and_a_red_threshold_looser_than_amber_is_refused()
    {
        static ProtocolSet Load(string scorecard) => ProtocolLoader.Load(
        [
            ("_profiles.yaml", "disclosure_profiles:\n  standard: {threshold: 4, rounding_base: 5}\n"),
            ("police.yaml", "partner: police\nagreement_id: DSA-X\nlawful_basis: p\nvalid_from: 2024-01-01\nvalid_to: 2030-01-01\n" + scorecard
                + "feeds:\n  police-da-incidents:\n    purpose: p\n    fields: [incident_id, incident_date, role, forename, surname, date_of_birth, sex, crime, marac_referral]\n"
                + "    retention: {raw_days: 30, mart_days: 100}\n    disclosure_profile: standard\n    expected_cadence: monthly\n    due_day: 15\n"),
        ]);

        var t = Load("scorecard:\n  late_red_days: 7\n  rejected_amber: 0.02\n  rejected_red: 0.1\n").Partners[0].Scorecard;
        t.LateRedDays.Should().Be(7);
        Rag.Low(0.05, t.RejectedAmber, t.RejectedRed).Should().Be(Rag.Amber);
        t.CoverageAmber.Should().Be(ScorecardThresholds.Default.CoverageAmber, "a threshold left out keeps its default");

        var refuse = () => Load("scorecard:\n  rejected_amber: 0.2\n  rejected_red: 0.1\n");
        refuse.Should().Throw<ProtocolFormatException>().WithMessage("*police.yaml*red threshold*");
    }
}
