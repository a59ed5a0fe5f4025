using System.Security.Cryptography;
using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// SweepLanding as the worker runs it, beside IngestExtract, on an Azurite of this class's own (the sweep lists all of
/// landing). Each test lands a different extract, and looks only at its own feed's outcomes.
/// </summary>
public sealed class SweepLandingFunctionTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly IReadOnlyList<SyntheticFile> Extracts = Deliveries.SmallExtracts;

    // The sweep compares the clock with the blobs' own write times, so the clock starts at the real now.
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly List<ServiceProvider> _apps = [];

    private string ConnectionString => fixture.Azurite.ConnectionString;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_file_left_in_landing_by_a_key_outage_is_stored_by_the_sweep_once_the_key_is_back()
    {
        var extract = Extracts[0];
        var outage = App(s => s.AddSingleton<IKeyProvider>(TestHubs.UnreachableKeyVault(_clock)));
        var delivery = await Deliveries.LandAsync(Hub(outage).Store, ConnectionString, extract);
        await FluentActions.Awaiting(() => delivery.To(TestHubs.Function<IngestExtractFunction>(outage))).Should().ThrowAsync<IngestAttemptFailedException>();

        // The host's retries are spent; the key is back, and the sweep runs past the claim lease.
        var app = App();
        _clock.Advance(TimeSpan.FromMinutes(3));
        await SweepAsync(app);

        var marts = await Hub(app).Store.ListAsync($"secure/{extract.Feed}/", CancellationToken.None).Select(o => o.Path).ToListAsync();
        marts.Should().NotBeEmpty();
        (await AuditAsync(app, extract, AuditKinds.Written)).Select(e => e.Entry.Path).Should().BeEquivalentTo(marts, "each mart file is written once");
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull("the stored file moves to the archive");
        (await ReceiptAsync(app, extract))!.Outcome.Should().Be(ReceiptRules.Stored);
        (await AuditVerifier.VerifyAsync(Hub(app).Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task A_claim_held_by_a_live_worker_is_left_to_it_and_taken_over_once_its_worker_died_and_the_lease_ran_out()
    {
        var extract = Extracts[1];
        var app = App();
        var delivery = await Deliveries.LandAsync(Hub(app).Store, ConnectionString, extract);
        _clock.Advance(TimeSpan.FromMinutes(3));

        // A worker on another machine claims the content and then stops renewing its claim (it died).
        var worker = new ClaimOwner(new ProcessIdentity("another-worker", 4242, _clock.GetUtcNow().AddHours(-1)), Guid.NewGuid().ToString("N"));
        var claimed = await Hub(app).Receipts.TryClaimAsync(Key(extract), new ClaimRequest("landing/claimed", worker, _clock.GetUtcNow(), Hub(app).Ingest.ClaimLease), CancellationToken.None);
        claimed.Status.Should().Be(ClaimStatus.Claimed);

        // Within its lease the claim is honoured: nothing is stored and the file stays.
        _clock.Advance(TimeSpan.FromMinutes(1));
        (await SweepAsync(app, extract)).Should().ContainSingle().Which.Status.Should().Be(IngestStatus.InProgress);
        (await Hub(app).Store.ListAsync($"secure/{extract.Feed}/", CancellationToken.None).AnyAsync()).Should().BeFalse();
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull();

        // Past it, the sweep takes the claim over and stores the file, counting the dead worker's attempt as failed.
        _clock.Advance(TimeSpan.FromMinutes(2));
        (await SweepAsync(app, extract)).Should().ContainSingle().Which.Status.Should().Be(IngestStatus.Stored);
        var receipt = await ReceiptAsync(app, extract);
        receipt!.Outcome.Should().Be(ReceiptRules.Stored);
        receipt.Attempts.Should().Be(2);
        receipt.FailedAttempts.Should().Be(1);
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task The_sweep_and_the_trigger_delivering_one_file_at_once_store_it_once()
    {
        var extract = Extracts[2];
        var workers = new[] { App(), App() };
        var delivery = await Deliveries.LandAsync(Hub(workers[0]).Store, ConnectionString, extract);
        _clock.Advance(TimeSpan.FromMinutes(3));

        await Task.WhenAll(
            Task.Run(() => delivery.To(TestHubs.Function<IngestExtractFunction>(workers[0]))),
            Task.Run(() => SweepAsync(workers[1])));

        var marts = await Hub(workers[0]).Store.ListAsync($"secure/{extract.Feed}/", CancellationToken.None).Select(o => o.Path).ToListAsync();
        marts.Should().NotBeEmpty();
        (await AuditAsync(workers[0], extract, AuditKinds.Written)).Select(e => e.Entry.Path).Should().BeEquivalentTo(marts, "each mart file is written once");
        (await ReceiptAsync(workers[0], extract))!.Attempts.Should().Be(1, "one claim won; the other delivery found it held, done, or the file gone");
        (await Hub(workers[0]).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Files_younger_than_the_claim_lease_are_left_to_the_trigger()
    {
        var extract = Extracts[3];
        var app = App();
        var delivery = await Deliveries.LandAsync(Hub(app).Store, ConnectionString, extract);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var result = await app.GetRequiredService<LandingSweep>().RunAsync(CancellationToken.None);

        result.Outcomes.Should().NotContain(o => o.Feed == extract.Feed);
        result.LeftYoung.Should().BeGreaterThanOrEqualTo(1);
        (await Hub(app).Store.GetAsync(delivery.Landed.Path, CancellationToken.None)).Should().NotBeNull();
        (await AuditAsync(app, extract, AuditKinds.Received)).Should().BeEmpty("the sweep did not touch it");
    }

    [Fact]
    public void A_failed_run_says_what_failed_of_files_and_partners_naming_only_what_did()
    {
        var unlisted = new LandingSweepResult([], 0) { UnlistedPartners = ["csc"] };
        var failedFile = new LandingSweepResult([new IngestOutcome(IngestStatus.Failed, "landing/police/police-da-incidents/f-1a2b"), new IngestOutcome(IngestStatus.Stored, "landing/police/police-da-incidents/f-3c4d")], 0);
        var both = failedFile with { UnlistedPartners = ["csc", "police"] };

        new LandingSweepFailedException(unlisted).Message.Should().StartWith("The landing sweep could not list the landing of 1 partner(s) (access denied: see the log for what to grant);")
            .And.NotContain("files", "no file failed, nor was any seen").And.Contain("the landing of csc could not be listed");
        new LandingSweepFailedException(failedFile).Message.Should().StartWith("The landing sweep could not finish 1 of 2 files;").And.NotContain("partner");
        new LandingSweepFailedException(both).Message.Should().StartWith("The landing sweep could not finish 1 of 2 files, nor list the landing of 2 partner(s) (access denied: see the log for what to grant);");
    }

    private static HubContext Hub(IServiceProvider app) => app.GetRequiredService<HubContext>();

    private static ReceiptKey Key(SyntheticFile extract) => new(extract.Partner, extract.Feed, Convert.ToHexStringLower(SHA256.HashData(extract.Content)));

    private static Task<Receipt?> ReceiptAsync(IServiceProvider app, SyntheticFile extract) => Hub(app).Receipts.GetAsync(Key(extract), CancellationToken.None);

    private static Task<List<AuditEvent>> AuditAsync(IServiceProvider app, SyntheticFile extract, string kind) =>
        Hub(app).Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == kind && e.Entry.Feed == extract.Feed).ToListAsync().AsTask();

    /// <summary>Runs the function once, as its timer does.</summary>
    private static Task SweepAsync(IServiceProvider app) => TestHubs.Function<SweepLandingFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);

    /// <summary>One sweep, through the Core handler the function calls, and the outcomes for <paramref name="extract"/>'s feed.</summary>
    private static async Task<List<IngestOutcome>> SweepAsync(IServiceProvider app, SyntheticFile extract) =>
        (await app.GetRequiredService<LandingSweep>().RunAsync(CancellationToken.None)).Outcomes.Where(o => o.Feed == extract.Feed).ToList();

    /// <summary>One Function App instance (a worker), as Program.cs registers it.</summary>
    private ServiceProvider App(Action<IServiceCollection>? replace = null)
    {
        var app = TestHubs.FunctionApp(ConnectionString, fixture.Azurite.KeyRoot, _clock, TestHubs.QuickRetries(maxRetries: 2), replace: replace);
        _apps.Add(app);
        return app;
    }
}
