using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>Issue 9: every failure ends in a known state; a crashed claim is taken over; a duplicate only when the content was stored.</summary>
public sealed class ClaimRecoveryTests
{
    internal const string Path = "landing/police/police-da-incidents/jan.csv";

    internal static readonly string Content = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\nINC2,2018-07-01,victim,Ann,Jones,1991-05-06,F,N,N\n";

    [Fact]
    public async Task A_claim_left_by_a_process_that_has_gone_is_taken_over_at_once()
    {
        using var hub = new HubFixture();
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Content)));

        // The receipt a killed worker leaves: processing, claimed a moment ago, its process gone.
        var receipt = System.IO.Path.Combine(hub.Root, "receipts", "police", "police-da-incidents", sha + ".json");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(receipt)!);
        var at = hub.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var (pid, started) = EndedProcess.Make();
        File.WriteAllText(receipt, $$"""
            {"Key":{"Partner":"police","Feed":"police-da-incidents","Sha256":"{{sha}}"},"State":"Processing","Attempts":1,"FailedAttempts":0,
             "ClaimedAt":"{{at}}","Outcome":null,"BatchId":null,"LastError":null,"SourcePath":"landing/police/police-da-incidents/x",
             "Owner":{"Process":{"Host":"{{Environment.MachineName}}","ProcessId":{{pid}},"StartedAt":"{{started:O}}"},"Token":"dead"},"RenewedAt":"{{at}}"}
            """);

        var outcome = await hub.DropAndIngestAsync(Path, Content);

        outcome.Status.Should().Be(IngestStatus.Stored, "the worker that held the claim is gone, so its claim is taken over without waiting for a lease");
        var stored = await hub.Hub.Receipts.GetAsync(new ReceiptKey("police", "police-da-incidents", sha), default);
        stored!.State.Should().Be(ReceiptState.Completed);
        stored.FailedAttempts.Should().Be(1, "the dead attempt counts, so a file that kills its worker every time ends as poison");
    }

    [Fact]
    public async Task A_file_quarantined_as_poison_is_processed_again_when_delivered_again_never_called_a_duplicate()
    {
        using var fixture = new HubFixture();
        var failing = fixture.Hub with { Store = new FailingSecureWrites(fixture.Store) };
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);
        for (var i = 0; i < fixture.Hub.Ingest.MaxFailedAttempts; i++)
        {
            await new IngestExtract(failing).HandleAsync(Path, landed.ETag, default);
        }

        var again = await fixture.DropAndIngestAsync(Path, Content);

        again.Status.Should().Be(IngestStatus.Stored, "nothing of the content was stored, so a new delivery is a new chance, not a duplicate");
        (await fixture.AuditAsync()).Should().NotContain(e => e.Entry.Kind == AuditKinds.Duplicate);
    }

    [Fact]
    public async Task Stored_rows_complete_the_receipt_even_when_the_landing_copy_cannot_be_archived()
    {
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Store = new LandingReplacedOnDelete(fixture.Store) };
        var landed = await fixture.Store.WriteAsync(Path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(Content), ct).AsTask(), WriteOptions.Default, default);

        var outcome = await new IngestExtract(hub).HandleAsync(Path, landed.ETag, default);

        outcome.Status.Should().Be(IngestStatus.Stored);
        (await hub.Receipts.GetAsync(new ReceiptKey("police", "police-da-incidents", outcome.Sha256!), default))!.State.Should().Be(ReceiptState.Completed);
        var again = await new IngestExtract(fixture.Hub).HandleAsync(Path, null, default);
        again.Status.Should().Be(IngestStatus.Duplicate, "the copy left in landing is archived as a duplicate when it is seen again");
        (await fixture.ListAsync("landing/police/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_live_claim_of_another_worker_is_left_alone_and_the_delivery_reports_in_progress()
    {
        using var hub = new HubFixture();
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Content)));
        await hub.Hub.Receipts.TryClaimAsync(new ReceiptKey("police", "police-da-incidents", sha), new ClaimRequest("x", ClaimOwner.New(), hub.Clock.GetUtcNow(), hub.Hub.Ingest.ClaimLease), default);

        var outcome = await hub.DropAndIngestAsync(Path, Content);

        outcome.Status.Should().Be(IngestStatus.InProgress);
        (await hub.ListAsync("landing/police/")).Should().Equal(Path);
        (await hub.ListAsync("secure/")).Should().BeEmpty();
    }

    /// <summary>Every write under secure/ fails, as a full disk would.</summary>
    private sealed class FailingSecureWrites(IObjectStore inner) : DelegatingStore(inner)
    {
        public override Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken) =>
            path.StartsWith("secure/", StringComparison.Ordinal) ? throw new IOException("No space left on device.") : base.BeginWriteAsync(path, options, cancellationToken);
    }

    /// <summary>The landing copy is replaced just as the handler removes it, as a second delivery of the same name would.</summary>
    private sealed class LandingReplacedOnDelete(IObjectStore inner) : DelegatingStore(inner)
    {
        public override Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) =>
            path.StartsWith("landing/police/", StringComparison.Ordinal) ? throw new ObjectChangedException(path) : base.DeleteAsync(path, ifMatchETag, cancellationToken);
    }
}
