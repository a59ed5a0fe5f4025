using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// IngestExtract as the worker runs it (resolved through the Function App's service registration) on an Azurite of this
/// class's own, behind a fault proxy: these tests stop it and make it fail. Each test lands a different extract (its own
/// feed, content and so batch), so they share the emulator without seeing each other's files.
/// </summary>
public sealed class IngestExtractFunctionTests(FaultyStorage storage) : IClassFixture<FaultyStorage>, IAsyncLifetime
{
    private static readonly IReadOnlyList<SyntheticFile> Extracts = Deliveries.SmallExtracts;

    private readonly ManualClock _clock = ManualClock.On(2026, 11, 22);
    private readonly List<ServiceProvider> _apps = [];
    private SyntheticFile _extract = Extracts[0];

    private Azurite Emulator => storage.Emulator;

    private FaultProxy Proxy => storage.Proxy;

    private string ConnectionString => storage.ConnectionString;

    private SyntheticFile Extract => _extract;

    public Task InitializeAsync()
    {
        Proxy.Fault = _ => null;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Proxy.Fault = _ => null;
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Chooses this test's extract (a number no other test in the class uses).</summary>
    private void Use(int extract) => _extract = Extracts[extract];

    /// <summary>One Function App instance (a worker), as Program.cs registers it.</summary>
    private ServiceProvider App(int? maxAttempts = null, Action<IServiceCollection>? replace = null)
    {
        var app = TestHubs.FunctionApp(ConnectionString, Emulator.KeyRoot, _clock, TestHubs.QuickRetries(maxRetries: 2), maxAttempts, replace: replace);
        _apps.Add(app);
        return app;
    }

    private static HubContext Hub(IServiceProvider app) => app.GetRequiredService<HubContext>();

    // The labels the app names files by: keyed with its current pseudonymisation key.
    private static Task<FileLabels> LabelsAsync(IServiceProvider app) => FileLabels.CurrentAsync(Hub(app).Keys, CancellationToken.None);

    private static IngestExtractFunction Function(IServiceProvider app) => TestHubs.Function<IngestExtractFunction>(app);

    private Task<Delivery> LandAsync(IServiceProvider app) => Deliveries.LandAsync(Hub(app).Store, ConnectionString, Extract);

    // Only this test's feed: other tests' files share the emulator.
    private Task<List<string>> PathsAsync(IServiceProvider app, string container) =>
        Hub(app).Store.ListAsync(container == "quarantine/" ? $"quarantine/{Extract.Partner}/{Extract.Feed}/" : $"{container}{Extract.Feed}/", CancellationToken.None)
            .Select(o => o.Path).ToListAsync().AsTask();

    private Task<List<AuditEvent>> AuditAsync(IServiceProvider app, string kind) =>
        Hub(app).Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == kind && e.Entry.Feed == Extract.Feed).ToListAsync().AsTask();

    [Fact]
    public async Task Extract_landing_in_landing_is_ingested_into_the_mart_with_its_receipt_and_audit_events()
    {
        Use(0);
        var app = App();
        var delivery = await LandAsync(app);

        await delivery.To(Function(app));

        var marts = await PathsAsync(app, "secure/");
        marts.Should().NotBeEmpty().And.OnlyContain(p => p.StartsWith($"secure/{Extract.Feed}/", StringComparison.Ordinal));
        var written = await AuditAsync(app, AuditKinds.Written);
        written.Select(e => e.Entry.Path).Should().BeEquivalentTo(marts);
        (await AuditAsync(app, AuditKinds.Received)).Should().ContainSingle().Which.Entry.Path.Should().Be((await LabelsAsync(app)).LandingPath(delivery.Landed.Path, Hub(app).Protocols), "the file is recorded by its label, never its name");
        var receipt = await Hub(app).Receipts.GetAsync(new ReceiptKey(Extract.Partner, Extract.Feed, written[0].Entry.FileSha256!), CancellationToken.None);
        receipt!.State.Should().Be(ReceiptState.Completed);
        receipt.Outcome.Should().Be("stored");
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull("a processed file moves to the archive");
    }

    [Fact]
    public async Task Event_for_a_version_replaced_before_it_was_read_is_not_ingested_and_is_audited_as_superseded_by_its_safe_path()
    {
        Use(1);
        var app = App();
        var first = await LandAsync(app);
        await Hub(app).Store.WriteAsync(first.Landed.Path, (s, ct) => s.WriteAsync(Extract.Content.Concat("\n"u8.ToArray()).ToArray(), ct).AsTask(), WriteOptions.Default, CancellationToken.None);

        await first.To(Function(app));

        (await PathsAsync(app, "secure/")).Should().BeEmpty("the event names a version that is gone; the new version has its own event");
        (await Hub(app).Store.GetAsync(first.Landed.Path, CancellationToken.None)).Should().NotBeNull();
        var superseded = (await AuditAsync(app, AuditKinds.Superseded)).Should().ContainSingle("the replaced version is recorded, not dropped with a log line").Subject.Entry;
        superseded.Rule.Should().Be(IngestExtract.SupersededRule);
        superseded.Path.Should().Be((await LabelsAsync(app)).LandingPath(first.Landed.Path, Hub(app).Protocols));
        superseded.Detail.Should().NotContain(Extract.FileName);
    }

    [Fact]
    public async Task Same_blob_delivered_twice_at_once_to_two_workers_is_processed_once()
    {
        Use(2);
        var workers = new[] { App(), App() };
        var delivery = await LandAsync(workers[0]);

        await Task.WhenAll(workers.Select(app => Task.Run(() => delivery.To(Function(app)))));

        var marts = await PathsAsync(workers[0], "secure/");
        marts.Should().NotBeEmpty();
        var written = await AuditAsync(workers[0], AuditKinds.Written);
        written.Select(e => e.Entry.Path).Should().BeEquivalentTo(marts, "each mart file is written once");
        var receipt = await Hub(workers[0]).Receipts.GetAsync(new ReceiptKey(Extract.Partner, Extract.Feed, written[0].Entry.FileSha256!), CancellationToken.None);
        receipt!.Attempts.Should().Be(1, "one worker's claim won; the other found it held or done");
    }

    [Fact]
    public async Task Azurite_stopped_at_the_first_mart_write_leaves_no_partial_mart_and_the_retry_stores_the_file_once()
    {
        Use(3);
        var app = App();
        var delivery = await LandAsync(app);
        var stopped = 0;
        Proxy.Fault = request =>
        {
            // The first mart write is mid-ingest: the file is claimed, parsed and being written when storage goes away.
            if (request.Path.Value!.Contains("/secure/", StringComparison.Ordinal) && Interlocked.Exchange(ref stopped, 1) == 0)
            {
                Emulator.StopAsync().GetAwaiter().GetResult();
            }

            return null;
        };

        var during = await Record.ExceptionAsync(() => delivery.To(Function(app)));
        await Emulator.StartAsync();
        Proxy.Fault = _ => null;

        during.Should().BeAssignableTo<Exception>("the attempt fails and the host is asked to retry").Which.Should().Match(e => e is IOException || e is IngestAttemptFailedException);
        (await PathsAsync(app, "secure/")).Should().BeEmpty("staged blocks of an interrupted write are never committed");
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull("the file stays in landing for the retry");

        // The host redelivers after the claim's lease has lapsed (the worker that held it died with the storage).
        _clock.Advance(Hub(app).Ingest.ClaimLease + TimeSpan.FromMinutes(1));
        await delivery.To(Function(app));
        await delivery.To(Function(App()));

        var marts = await PathsAsync(app, "secure/");
        marts.Should().NotBeEmpty();
        (await AuditAsync(app, AuditKinds.Written)).Select(e => e.Entry.Path).Should().BeEquivalentTo(marts, "each mart file is written (and audited) exactly once");
        (await AuditVerifier.VerifyAsync(Hub(app).Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Storage_answering_503s_is_retried_by_the_sdk_and_the_ingest_completes()
    {
        Use(4);
        var app = App();
        var delivery = await LandAsync(app);
        // Every third operation fails once: its first attempt is answered 503 and the SDK's retries, which carry the same
        // client request id, go through. Keyed by operation rather than by request count, since quarter files are
        // committed side by side and another operation's request may come between an attempt and its retry.
        var operations = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        Proxy.Fault = request =>
            seen.TryAdd(request.Headers["x-ms-client-request-id"].ToString(), true) && Interlocked.Increment(ref operations) % 3 == 1 ? 503 : null;

        await delivery.To(Function(app));

        Proxy.Faults.Should().BeGreaterThan(2);
        (await PathsAsync(app, "secure/")).Should().BeEquivalentTo((await AuditAsync(app, AuditKinds.Written)).Select(e => e.Entry.Path)).And.NotBeEmpty();
    }

    [Fact]
    public async Task A_storage_outage_while_a_workbook_is_read_fails_the_attempt_for_a_retry_instead_of_quarantining_the_workbook_as_corrupt()
    {
        var app = App();
        _extract = PaddedWorkbook(seed: 7);
        var delivery = await LandAsync(app);

        // The file is hashed whole first; its rows are then read again in ranges (it outgrows the SDK's read buffer), and
        // storage fails the first of those reads, with every retry the client makes: a short outage, over before the next read.
        var reads = 0;
        Proxy.Fault = request => request.Method == "GET" && request.Path.Value!.Contains("/landing-", StringComparison.Ordinal)
            && request.Headers.ContainsKey("x-ms-range") && Interlocked.Increment(ref reads) is > 2 and <= 5 ? 503 : null;
        var failure = await Record.ExceptionAsync(() => delivery.To(Function(app)));
        Proxy.Fault = _ => null;

        reads.Should().BeGreaterThanOrEqualTo(5, "the rows were read after the file was hashed, and the outage outlasted the client's retries");
        failure.Should().BeOfType<IngestAttemptFailedException>("a storage outage is the hub's failure, retried, not the partner's");
        (await PathsAsync(app, "quarantine/")).Should().BeEmpty("the workbook is not corrupt");
        (await AuditAsync(app, AuditKinds.Quarantined)).Should().BeEmpty();
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull("the file stays in landing for the retry");

        await delivery.To(Function(app));

        (await PathsAsync(app, "secure/")).Should().NotBeEmpty("the retry stores the workbook");
    }

    [Fact]
    public async Task A_workbook_overwritten_while_its_rows_are_read_is_audited_as_superseded_not_counted_as_a_failed_attempt()
    {
        var app = App();
        _extract = PaddedWorkbook(seed: 8) with { FileName = "attendance-overwritten.xlsx" };
        var delivery = await LandAsync(app);
        var (container, name) = LandingContainers.Locate(delivery.Landed.Path);
        var partner = new global::Azure.Storage.Blobs.BlobClient(Emulator.ConnectionString, container, name);

        // The partner overwrites the workbook as the hub reads it back after hashing it: the hub's next ranged read, pinned
        // to the version it hashed, finds the version gone.
        var reads = 0;
        Proxy.Fault = request =>
        {
            if (request.Method == "GET" && request.Path.Value!.Contains("/landing-", StringComparison.Ordinal) && request.Headers.ContainsKey("x-ms-range")
                && Interlocked.Increment(ref reads) == 3)
            {
                partner.Upload(new BinaryData(Extract.Content.Concat(new byte[] { 0 }).ToArray()), overwrite: true);
            }

            return null;
        };
        var failure = await Record.ExceptionAsync(() => delivery.To(Function(app)));
        Proxy.Fault = _ => null;

        reads.Should().BeGreaterThanOrEqualTo(3, "the workbook was read back after it was hashed");
        failure.Should().BeNull("the partner's overwrite is not a failure of the hub for the host to retry");
        var safe = (await LabelsAsync(app)).LandingPath(delivery.Landed.Path, Hub(app).Protocols);
        var superseded = (await AuditAsync(app, AuditKinds.Superseded)).Should().ContainSingle(e => e.Entry.Path == safe).Subject.Entry;
        superseded.Rule.Should().Be(IngestExtract.LandingChangedRule);
        // Only this workbook's events: the class's other workbook test shares the feed.
        (await AuditAsync(app, AuditKinds.Failed)).Should().NotContain(e => e.Entry.Path == superseded.Path);
        (await AuditAsync(app, AuditKinds.Quarantined)).Should().NotContain(e => e.Entry.Path == superseded.Path, "the workbook is not corrupt");
        (await Hub(app).Receipts.GetAsync(new ReceiptKey(Extract.Partner, Extract.Feed, superseded.FileSha256!), CancellationToken.None))!.FailedAttempts.Should().Be(0);
    }

    // A school's attendance workbook with a part no reader looks at, of incompressible bytes, so it is larger than one
    // ranged read of the SDK's blob stream (4 MiB) and its sheet is read back in ranges after the file is hashed. Each test
    // pads with its own seed: the same content would share one receipt across the class's tests.
    private static SyntheticFile PaddedWorkbook(int seed)
    {
        var workbook = SyntheticHub.Generate().Files.First(f => f.FileName.EndsWith(".xlsx", StringComparison.Ordinal));
        using var padded = new MemoryStream();
        padded.Write(workbook.Content);
        using (var zip = new System.IO.Compression.ZipArchive(padded, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            var pad = zip.CreateEntry("docProps/padding.bin", System.IO.Compression.CompressionLevel.NoCompression);
            using var stream = pad.Open();
            var bytes = new byte[6 << 20];
            new Random(seed).NextBytes(bytes);
            stream.Write(bytes);
        }

        return workbook with { FileName = "attendance-padded.xlsx", Content = padded.ToArray() };
    }

    [Fact]
    public async Task Key_vault_unreachable_fails_the_attempt_clearly_and_writes_nothing()
    {
        Use(5);
        var app = App(replace: s => s.AddSingleton<IKeyProvider>(TestHubs.UnreachableKeyVault(_clock)));
        var delivery = await LandAsync(app);

        var failed = await FluentActions.Awaiting(() => delivery.To(Function(app))).Should().ThrowAsync<IngestAttemptFailedException>();

        failed.Which.Message.Should().Contain("Key Vault could not be reached").And.Contain(AzureNames.DefaultKeySecretName);
        (await PathsAsync(app, "secure/")).Should().BeEmpty();
        (await PathsAsync(app, "quarantine/")).Should().BeEmpty();
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_storage_failure_before_the_claim_reaches_the_host_naming_the_file_by_its_label_never_its_name()
    {
        Use(7);
        var app = App();
        _extract = Extract with { FileName = "Jane Smith 2011-05-12.csv" };
        var delivery = await LandAsync(app);

        // The landed blob cannot be read at all: the handler fails before it has claimed (or even hashed) the file.
        Proxy.Fault = request => request.Path.Value!.Contains("/landing-", StringComparison.Ordinal) ? 503 : null;
        var failure = await Record.ExceptionAsync(() => delivery.To(Function(app)));
        Proxy.Fault = _ => null;

        // The host logs what the function throws, inner exceptions and all: nothing of it may name the file.
        var logged = failure!.ToString();
        logged.Should().NotContain("Jane").And.NotContain("2011-05-12");
        failure.Should().BeOfType<IngestAttemptFailedException>("the host is asked to retry, as for any failed attempt");
        logged.Should().Contain((await LabelsAsync(app)).Label(Extract.FileName)).And.Contain("503").And.NotContain(UnkeyedLabel.Of(Extract.FileName));
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull("the file stays in landing for the retry");
    }

    [Fact]
    public async Task A_header_of_a_thousand_columns_outside_the_agreement_is_quarantined_with_its_rule_though_its_audit_event_outgrows_a_table_property()
    {
        Use(8);
        var app = App();
        var text = System.Text.Encoding.UTF8.GetString(Extract.Content);
        var header = text[..text.IndexOf('\n', StringComparison.Ordinal)].TrimEnd('\r');
        var extra = 1000 - header.Split(',').Length;
        var wide = string.Concat(Enumerable.Range(0, extra).Select(i => $",x{i}"));
        _extract = Extract with { Content = System.Text.Encoding.UTF8.GetBytes(header + wide + text[header.Length..]) };
        var delivery = await LandAsync(app);

        await delivery.To(Function(app));

        var quarantined = (await AuditAsync(app, AuditKinds.Quarantined)).Should().ContainSingle().Subject;
        quarantined.Entry.Rule.Should().Be(DataHub.Core.Protocols.ProtocolRules.FieldOutsideAgreement);
        quarantined.Entry.Detail.Should().Contain($"{extra} column(s)");
        (await PathsAsync(app, "secure/")).Should().BeEmpty();
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull("the file is in quarantine with its report");
        (await AuditVerifier.VerifyAsync(Hub(app).Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task File_failing_on_every_attempt_ends_in_quarantine_with_its_report_after_the_configured_attempts()
    {
        Use(6);
        var app = App(maxAttempts: 2);
        var delivery = await LandAsync(app);
        Proxy.Fault = request => request.Method == "PUT" && request.Path.Value!.Contains("/secure/", StringComparison.Ordinal) ? 503 : null;

        var first = await Record.ExceptionAsync(() => delivery.To(Function(app)));
        await delivery.To(Function(app)); // the second attempt is the last: the handler quarantines it and the host stops retrying

        first.Should().BeOfType<IngestAttemptFailedException>().Which.Outcome.Rule.Should().Be("ingest.failed");
        (await PathsAsync(app, "secure/")).Should().BeEmpty();
        var poisoned = (await AuditAsync(app, AuditKinds.Poisoned)).Should().ContainSingle().Subject;
        var quarantined = $"quarantine/{Extract.Partner}/{Extract.Feed}/{poisoned.Entry.FileSha256![..16]}-{(await LabelsAsync(app)).Label(Extract.FileName)}";
        (await PathsAsync(app, "quarantine/")).Should().Contain([quarantined, quarantined + ".report.json", quarantined + ".report.csv"]);
        var receipt = await Hub(app).Receipts.GetAsync(new ReceiptKey(Extract.Partner, Extract.Feed, poisoned.Entry.FileSha256!), CancellationToken.None);
        receipt!.FailedAttempts.Should().Be(2);
    }

    [Fact]
    public async Task A_landed_file_the_apps_identity_may_not_read_is_refused_unread_by_its_label_and_left_in_landing_as_a_local_one_is()
    {
        // Extract 5's feed (its test writes nothing either), under a name of its own.
        Use(5);
        var app = App();
        _extract = Extract with { FileName = "Amy Brown 1992-01-02.csv" };
        var delivery = await LandAsync(app);

        // The partner's container answers 403, as when the app's identity holds no data role on it: as for a local file the
        // hub's user may not read, it is refused once under path.unreadable by its label, and left where it is.
        Proxy.Fault = request => request.Path.Value!.Contains("/landing-", StringComparison.Ordinal) ? 403 : null;
        await delivery.To(Function(app));
        Proxy.Fault = _ => null;

        var label = (await LabelsAsync(app)).LandingPath(delivery.Landed.Path, Hub(app).Protocols);
        var refused = await Hub(app).Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == AuditKinds.PathRefused && e.Entry.Path == label).ToListAsync();
        refused.Should().ContainSingle().Which.Entry.Rule.Should().Be(LandingPath.UnreadableRule);
        refused[0].Entry.Detail.Should().NotContain("Amy").And.NotContain("1992-01-02");
        refused[0].Entry.Detail.Should().Contain(LandingPath.UnreadableMessage).And.Contain("Storage Blob Data Owner", "the fix on Azure is a role, not a folder's permissions");
        (await PathsAsync(app, "secure/")).Should().BeEmpty("nothing of it was read");
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull("it stays in landing until the role is given back");
    }
}
