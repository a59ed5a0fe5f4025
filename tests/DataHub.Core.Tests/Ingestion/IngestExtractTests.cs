using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

public sealed class IngestExtractTests
{
    private const string Path = "landing/police/police-da-incidents/jan.csv";

    private static string Police(params string[] rows) => HubFixture.PoliceHeader + "\n" + string.Join("\n", rows) + "\n";

    private static string Row(int n, string date = "2018-03-31", string dob = "1990-04-05", string role = "victim") =>
        $"INC{n},{date},{role},Zoë{n},Smith,{dob},F,Y,N";

    [Fact]
    public async Task Stores_rows_in_one_mart_file_per_quarter_with_the_batch_metadata()
    {
        using var hub = new HubFixture();
        var outcome = await hub.DropAndIngestAsync(Path, Police(Row(1), Row(2, "2018-04-01"), Row(3, "2018-06-30")));

        outcome.Status.Should().Be(IngestStatus.Stored);
        outcome.RowsAccepted.Should().Be(3);
        var batch = outcome.BatchId!;
        var attempt = (await new MartCatalog(hub.Store).CommittedAsync("police-da-incidents", default)).Single().Attempt;
        attempt.Should().MatchRegex("^[0-9a-f]{16}$", "each commit attempt names its files");
        outcome.MartFiles.Should().Equal(
            $"secure/police-da-incidents/quarter=2018Q1/{batch}.{attempt}.parquet",
            $"secure/police-da-incidents/quarter=2018Q2/{batch}.{attempt}.parquet",
            $"secure/police-da-incidents/_batches/{batch}.json");

        var q2 = hub.Store.FullPath(outcome.MartFiles![1]);
        var rows = await MartFiles.RowsAsync(q2);
        rows.Should().HaveCount(2);
        rows[0].Keys.Should().Equal(
            "batch_id", "source_line", "name_dob_token", "attributor_token", "birth_year", "birth_month",
            "incident_id", "incident_date", "role", "sex", "crime", "marac_referral", "filename");
        rows[0]["source_line"].Text().Should().Be("3", "source_line is the CSV line, header = 1");
        rows[0]["name_dob_token"].Text().Should().MatchRegex("^v1:[0-9a-f]{64}$");
        rows[0]["birth_year"].Text().Should().Be("1990");
        rows[0]["birth_month"].Text().Should().Be("4");
        rows[0]["incident_date"].Text().Should().Be("2018-04-01");
        rows[0]["crime"].Text().Should().Be("true");

        var meta = await MartFiles.MetadataAsync(q2);
        meta[MartMetadata.Partner].Should().Be("police");
        meta[MartMetadata.Agreement].Should().Be("DSA-FS-2024-POL-01");
        meta[MartMetadata.KeyVersion].Should().Be("v1");
        meta[MartMetadata.SourceSha256].Should().Be(outcome.Sha256);
        meta[MartMetadata.Rows].Should().Be("2");
        meta[MartMetadata.BatchRows].Should().Be("3");
        meta[MartMetadata.RowsRejected].Should().Be("0");
    }

    [Fact]
    public async Task Archives_the_processed_landing_file_instead_of_deleting_it()
    {
        using var hub = new HubFixture();
        var outcome = await hub.DropAndIngestAsync(Path, Police(Row(1)));
        (await hub.ListAsync("landing/police/")).Should().BeEmpty();
        (await hub.ListAsync("landing/_processed/")).Should().Equal($"landing/_processed/police/police-da-incidents/{outcome.BatchId}/{hub.Labels.Label("jan.csv")}");
        hub.Text($"landing/_processed/police/police-da-incidents/{outcome.BatchId}/{hub.Labels.Label("jan.csv")}").Should().Be(Police(Row(1)));
    }

    [Fact]
    public async Task Audits_every_step_citing_the_agreement_and_file_hash()
    {
        using var hub = new HubFixture();
        var outcome = await hub.DropAndIngestAsync(Path, Police(Row(1)));
        var events = await hub.AuditAsync();
        events.Select(e => e.Entry.Kind).Should().ContainInOrder(
            AuditKinds.Received, AuditKinds.ProtocolDecision, AuditKinds.Validated, AuditKinds.Pseudonymised, AuditKinds.Written, AuditKinds.Archived);
        events.Skip(1).Should().OnlyContain(e => e.Entry.Agreement == "DSA-FS-2024-POL-01" && e.Entry.FileSha256 == outcome.Sha256);
        (await AuditVerifier.VerifyAsync(hub.Hub.Audit, default)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Keeps_good_rows_and_reports_rejected_ones_within_the_tolerance()
    {
        using var hub = new HubFixture();
        var rows = Enumerable.Range(1, 40).Select(i => Row(i)).ToList();
        rows[9] = Row(10, date: "30/02/2018");
        var outcome = await hub.DropAndIngestAsync(Path, Police([.. rows]));

        outcome.Status.Should().Be(IngestStatus.StoredWithRowErrors);
        outcome.RowsAccepted.Should().Be(39);
        outcome.RowsRejected.Should().Be(1);
        outcome.ReportPath.Should().StartWith("quarantine/police/police-da-incidents/row-errors/");
        var csv = hub.Text(outcome.ReportPath![..^".json".Length] + ".csv");
        csv.Should().StartWith("line,column,rule,message\n11,incident_date,");
    }

    [Fact]
    public async Task Quarantines_the_whole_file_above_the_tolerance_and_writes_no_mart_file()
    {
        using var hub = new HubFixture();
        var outcome = await hub.DropAndIngestAsync(Path, Police(Row(1), Row(2, dob: "1990-13-01"), Row(3, role: "bystander")));

        outcome.Status.Should().Be(IngestStatus.Quarantined);
        outcome.Rule.Should().Be("rows.above_tolerance");
        (await hub.ListAsync("secure/")).Should().BeEmpty();
        (await hub.ListAsync("landing/")).Should().BeEmpty();
        var kept = outcome.QuarantinePath!;
        kept.Should().Be($"quarantine/police/police-da-incidents/{outcome.Sha256![..16]}-{hub.Labels.Label("jan.csv")}");
        (await hub.ListAsync("quarantine/police/police-da-incidents/")).Should().BeEquivalentTo(kept, kept + ".report.json", kept + ".report.csv");
        var report = hub.Text(kept + ".report.json");
        report.Should().Contain("\"rows.above_tolerance\"").And.Contain("\"date_of_birth\"");
        report.Should().NotContain("1990-13-01").And.NotContain("Zoë").And.NotContain("Smith");
    }

    [Fact]
    public async Task Quarantines_a_file_whose_read_fails_part_way_and_stores_none_of_its_earlier_rows()
    {
        using var hub = new HubFixture();
        // Good rows, then a quote that never closes and runs past the reader's 16 MB record limit.
        var rows = Enumerable.Range(1, 20).Select(i => Row(i)).ToList();
        var content = Police([.. rows]) + "INC99,2018-03-31,victim,\"" + new string('x', 17 << 20) + "\n";
        var outcome = await hub.DropAndIngestAsync(Path, content);

        outcome.Status.Should().Be(IngestStatus.Quarantined);
        outcome.Rule.Should().Be("file.record_too_long");
        (await hub.ListAsync("secure/")).Should().BeEmpty("rows read before the fault must not be stored");
        (await hub.ListAsync("quarantine/police/police-da-incidents/")).Should().Contain([outcome.QuarantinePath!, outcome.ReportPath!]);
    }

    [Fact]
    public async Task The_same_content_again_is_a_duplicate_and_new_content_under_the_same_name_is_processed()
    {
        using var hub = new HubFixture();
        var first = await hub.DropAndIngestAsync(Path, Police(Row(1)));
        var again = await hub.DropAndIngestAsync(Path, Police(Row(1)));
        again.Status.Should().Be(IngestStatus.Duplicate);
        again.BatchId.Should().Be(first.BatchId);
        (await hub.AuditAsync()).Should().Contain(e => e.Entry.Kind == AuditKinds.Duplicate);
        (await hub.ListAsync("secure/police-da-incidents/quarter=")).Should().HaveCount(1);

        var changed = await hub.DropAndIngestAsync(Path, Police(Row(1), Row(2)));
        changed.Status.Should().Be(IngestStatus.Stored);
        changed.BatchId.Should().NotBe(first.BatchId);
        (await hub.ListAsync("secure/police-da-incidents/quarter=")).Should().HaveCount(2);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_the_same_content_are_processed_once()
    {
        using var hub = new HubFixture();
        var bytes = Encoding.UTF8.GetBytes(Police(Row(1), Row(2)));
        var paths = Enumerable.Range(0, 4).Select(i => $"landing/police/police-da-incidents/copy{i}.csv").ToArray();
        var tags = new List<string>();
        foreach (var p in paths)
        {
            tags.Add((await hub.Store.WriteAsync(p, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, default)).ETag);
        }

        var outcomes = await Task.WhenAll(paths.Select((p, i) => Task.Run(() => new IngestExtract(hub.Hub).HandleAsync(p, tags[i], default))));
        outcomes.Count(o => o.Status == IngestStatus.Stored).Should().Be(1);
        outcomes.Where(o => o.Status != IngestStatus.Stored).Should().OnlyContain(o => o.Status == IngestStatus.Duplicate || o.Status == IngestStatus.InProgress);
    }

    [Fact]
    public async Task Refuses_to_pseudonymise_without_a_key_and_leaves_the_file_in_landing()
    {
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Keys = new NoKeys() };
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Police(Row(1))), ct).AsTask(), WriteOptions.Default, default);
        var outcome = await new IngestExtract(hub).HandleAsync(Path, landed.ETag, default);
        outcome.Status.Should().Be(IngestStatus.Failed);
        outcome.Rule.Should().Be("key.unavailable");
        (await fixture.ListAsync("landing/police/")).Should().Equal(Path);
        (await fixture.ListAsync("secure/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_duplicate_copy_that_changes_in_landing_before_it_is_archived_is_not_said_to_be_archived()
    {
        using var fixture = new HubFixture();
        (await fixture.DropAndIngestAsync(Path, Police(Row(1)))).Status.Should().Be(IngestStatus.Stored);
        var hub = fixture.Hub with { Store = new LandingChangesDuringArchive(fixture.Store, Path) };
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Police(Row(1))), ct).AsTask(), WriteOptions.Default, default);

        var outcome = await new IngestExtract(hub).HandleAsync(Path, landed.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Duplicate);
        outcome.Message.Should().Contain("changed in landing before it could be archived").And.NotContain("is kept in");
        var duplicate = (await fixture.AuditAsync()).Last(e => e.Entry.Kind == AuditKinds.Duplicate);
        duplicate.Entry.Detail.Should().NotContain("is kept in", "the event is written before the move, which can still fail");
        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Kind == AuditKinds.Archived && e.Entry.Rule == "receipt.duplicate");
    }

    [Fact]
    public async Task A_file_that_keeps_failing_is_quarantined_as_poison_after_the_maximum_attempts()
    {
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Store = new FailingSecureStore(fixture.Store) };
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Police(Row(1))), ct).AsTask(), WriteOptions.Default, default);
        var outcomes = new List<IngestOutcome>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add(await new IngestExtract(hub).HandleAsync(Path, landed.ETag, default));
        }

        outcomes.Select(o => o.Status).Should().Equal(IngestStatus.Failed, IngestStatus.Failed, IngestStatus.Quarantined);
        var report = outcomes[2].ReportPath!;
        report.Should().Be($"quarantine/police/police-da-incidents/{outcomes[2].Sha256![..16]}-{fixture.Labels.Label("jan.csv")}.report.json");
        (await fixture.ListAsync("quarantine/police/")).Should().Contain(report);
        fixture.Text(report).Should().Contain("ingest.poison").And.Contain("IOException");
        (await fixture.ListAsync("secure/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_path_with_dot_dot_is_refused_without_reading_anything()
    {
        using var fixture = new HubFixture();
        var spy = new ReadSpyStore(fixture.Store);
        var hub = fixture.Hub with { Store = spy };
        var outcome = await new IngestExtract(hub).HandleAsync("landing/police/../../secure/x.csv", null, default);
        outcome.Status.Should().Be(IngestStatus.Refused);
        outcome.Rule.Should().Be("path.traversal");
        spy.Reads.Should().BeEmpty();
        (await fixture.ListAsync("quarantine/_refused/")).Should().Contain(p => p.EndsWith(".report.json", StringComparison.Ordinal));
        (await fixture.AuditAsync()).Should().Contain(e => e.Entry.Kind == AuditKinds.PathRefused && e.Entry.Rule == "path.traversal");
    }

    [Fact]
    public async Task A_mart_write_failing_part_way_stops_the_reader_and_stores_nothing()
    {
        using var fixture = new HubFixture();
        // Small row groups, so mart bytes reach the store while the reader is still going.
        var hub = fixture.Hub with { Store = new SecureWritesFailAfter(fixture.Store, 300_000), Ingest = new IngestSettings { RowGroupBytes = 32 * 1024 } };
        var landed = await LandPoliceRowsAsync(fixture, 40_000);

        // Far more rows than the queue between reader and writer holds: the reader is blocked when the write fails.
        var outcome = await new IngestExtract(hub).HandleAsync(Path, landed.ETag, default).WaitAsync(TimeSpan.FromMinutes(1));

        outcome.Status.Should().Be(IngestStatus.Failed);
        outcome.Message.Should().Contain("IOException").And.Contain("No space left");
        (await fixture.ListAsync("secure/")).Should().BeEmpty();
        (await fixture.ListAsync("landing/police/")).Should().Equal(Path);
    }

    [Fact]
    public async Task A_read_failing_part_way_reports_the_read_error_and_stores_nothing()
    {
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Store = new SecondReadFailsAfter(fixture.Store, 500_000), Ingest = new IngestSettings { RowGroupBytes = 32 * 1024 } };
        var landed = await LandPoliceRowsAsync(fixture, 40_000);

        var outcome = await new IngestExtract(hub).HandleAsync(Path, landed.ETag, default).WaitAsync(TimeSpan.FromMinutes(1));

        outcome.Status.Should().Be(IngestStatus.Failed);
        outcome.Message.Should().Be("IOException: The connection to the store was reset.");
        (await fixture.ListAsync("secure/")).Should().BeEmpty();
        (await fixture.ListAsync("landing/police/")).Should().Equal(Path);
    }

    /// <summary>Lands a generated police extract of <paramref name="rows"/> rows at <see cref="Path"/>, as a partner would.</summary>
    private static Task<StoredObject> LandPoliceRowsAsync(HubFixture fixture, int rows) =>
        fixture.Store.WriteAsync(Path, (s, ct) => Task.Run(() => DataHub.Seeds.LargeExtracts.WritePoliceIncidentsCsv(s, rows), ct), WriteOptions.Default, default);

    /// <summary>Fails every write under secure/, as a full disk would.</summary>
    private sealed class FailingSecureStore(IObjectStore inner) : DelegatingStore(inner)
    {
        public override Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken) =>
            path.StartsWith("secure/", StringComparison.Ordinal) ? throw new IOException("No space left on device.") : base.BeginWriteAsync(path, options, cancellationToken);
    }

    /// <summary>The landed file's version goes (rewritten by its sender) while a duplicate's copy is being archived.</summary>
    private sealed class LandingChangesDuringArchive(IObjectStore inner, string landing) : DelegatingStore(inner)
    {
        public override Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken) =>
            path.Contains(".duplicate-", StringComparison.Ordinal) ? throw new ObjectChangedException(landing) : base.BeginWriteAsync(path, options, cancellationToken);
    }

    /// <summary>Records every path opened for reading.</summary>
    private sealed class ReadSpyStore(IObjectStore inner) : DelegatingStore(inner)
    {
        public List<string> Reads { get; } = [];

        public override Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
        {
            Reads.Add(path);
            return base.OpenReadAsync(path, ifMatchETag, cancellationToken);
        }
    }
}

/// <summary>Lets writes under secure/ start, then fails them once they pass a number of bytes, as a disk filling up would.</summary>
internal sealed class SecureWritesFailAfter(IObjectStore inner, long bytes) : DelegatingStore(inner)
{
    public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        var write = await base.BeginWriteAsync(path, options, cancellationToken);
        return path.StartsWith("secure/", StringComparison.Ordinal) ? new WrappedWrite(write, PassThroughStream.FailingAfter(write.Content, bytes, "No space left on device.")) : write;
    }
}

/// <summary>
/// Reads are forward-only, as from a remote store (so the handler reads the file again after hashing it); the first read
/// of each object (the hash pass) succeeds, the next one fails part-way, as a dropped connection would.
/// </summary>
internal sealed class SecondReadFailsAfter(IObjectStore inner, long bytes) : DelegatingStore(inner)
{
    private readonly HashSet<string> _read = [];

    public override async Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        var stream = await base.OpenReadAsync(path, ifMatchETag, cancellationToken);
        return PassThroughStream.FailingAfter(stream, _read.Add(path) ? long.MaxValue : bytes, "The connection to the store was reset.");
    }
}

/// <summary>
/// Passes reads and writes through; each one that takes them past <c>bytes</c> first calls <c>past</c>, which may throw
/// (a disk filling up, a dropped connection) or hold the caller.
/// </summary>
internal sealed class PassThroughStream(Stream inner, long bytes, Action past) : Stream
{
    /// <summary>Passes reads and writes until <paramref name="bytes"/> have gone by, then throws an IOException with the message.</summary>
    public static PassThroughStream FailingAfter(Stream inner, long bytes, string message) =>
        new(inner, bytes, () => throw new IOException(message));

    private long _passed;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _passed;
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count)
    {
        Pass(count);
        return inner.Read(buffer, offset, count);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Pass(buffer.Length);
        return inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Pass(count);
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Pass(buffer.Length);
        inner.Write(buffer);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Pass(int count)
    {
        _passed += count;
        if (_passed > bytes)
        {
            past();
        }
    }
}
