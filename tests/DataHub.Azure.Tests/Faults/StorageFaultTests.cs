using Azure;
using Azure.Security.KeyVault.Secrets;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Moq;

namespace DataHub.Azure.Tests.Faults;

/// <summary>Acceptance 4 and poison handling: faults on a dedicated Azurite (these tests stop it and fill its containers).</summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private static readonly SyntheticFile Extract = SyntheticHub.Generate().Files
        .Where(f => f.FileName.EndsWith(".csv", StringComparison.Ordinal))
        .OrderBy(f => f.Content.Length)
        .First();

    private readonly TempFolder _keys = new("fault-keys");
    private readonly ManualClock _clock = ManualClock.On(2026, 11, 22);
    private Azurite? _azurite;
    private FaultProxy? _proxy;

    private static string LandingPath => $"landing/{Extract.Partner}/{Extract.Feed}/{Extract.FileName}";

    private Azurite Emulator => _azurite!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartNewAsync();
        _proxy = await FaultProxy.StartAsync(_azurite.BlobPort);
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _keys.Dispose();
    }

    // Blob requests go through the fault proxy; table requests go straight to Azurite.
    private HubContext Hub(int? maxAttempts = null) =>
        TestHubs.Azure(Azurite.ConnectionStringFor(_proxy!.Port, Emulator.TablePort), _keys.Path, _clock, TestHubs.QuickRetries(_clock, maxRetries: 2), maxAttempts);

    private static async Task<StoredObject> LandAsync(HubContext hub) =>
        await hub.Store.WriteAsync(LandingPath, (s, ct) => s.WriteAsync(Extract.Content, ct).AsTask(), WriteOptions.Default, CancellationToken.None);

    private static Task<List<string>> PathsAsync(HubContext hub, string prefix) =>
        hub.Store.ListAsync(prefix, CancellationToken.None).Select(o => o.Path).ToListAsync().AsTask();

    [Fact]
    public async Task Azurite_stopped_mid_ingest_leaves_no_partial_mart_and_the_file_is_processed_once_after_it_returns()
    {
        var hub = Hub();
        var landed = await LandAsync(hub);
        var stopped = 0;
        _proxy!.Fault = request =>
        {
            // The first mart write is mid-ingest: the file is claimed, parsed and being written when storage goes away.
            if (request.Path.Value!.Contains("/secure/", StringComparison.Ordinal) && Interlocked.Exchange(ref stopped, 1) == 0)
            {
                Emulator.StopAsync().GetAwaiter().GetResult();
            }

            return null;
        };

        var during = await Record(() => new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None));
        await Emulator.StartAsync();
        _proxy.Fault = _ => null;

        during.Should().NotBe(IngestStatus.Stored);
        (await PathsAsync(hub, "secure/")).Should().BeEmpty("staged blocks of an interrupted write are never committed");
        (await hub.Store.GetAsync(LandingPath, CancellationToken.None)).Should().NotBeNull("the file stays in landing for the retry");

        // The host redelivers after the claim's lease has lapsed (the worker that held it died with the storage).
        _clock.Advance(hub.Ingest.ClaimLease + TimeSpan.FromMinutes(1));
        var retried = await new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None);
        var again = await new IngestExtract(Hub()).HandleAsync(LandingPath, landed.ETag, CancellationToken.None);

        retried.Status.Should().BeOneOf(IngestStatus.Stored, IngestStatus.StoredWithRowErrors);
        again.Status.Should().BeOneOf(IngestStatus.Ignored, IngestStatus.Duplicate);
        var marts = await PathsAsync(hub, "secure/");
        marts.Should().BeEquivalentTo(retried.MartFiles);
        var written = await hub.Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == AuditKinds.Written).ToListAsync();
        written.Select(e => e.Entry.Path).Should().BeEquivalentTo(marts, "each mart file is written (and audited) exactly once");
        (await AuditVerifier.VerifyAsync(hub.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Same_blob_delivered_twice_concurrently_is_processed_once()
    {
        var landed = await LandAsync(Hub());
        var instances = new[] { Hub(), Hub() };

        var outcomes = await Task.WhenAll(instances.Select(hub => Task.Run(() => new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None))));

        outcomes.Count(o => o.Status is IngestStatus.Stored or IngestStatus.StoredWithRowErrors).Should().Be(1, string.Join("; ", outcomes.Select(o => $"{o.Status} {o.Message}")));
        outcomes.Select(o => o.Status).Should().BeSubsetOf([IngestStatus.Stored, IngestStatus.StoredWithRowErrors, IngestStatus.InProgress, IngestStatus.Ignored, IngestStatus.Duplicate]);
        var stored = outcomes.Single(o => o.Status is IngestStatus.Stored or IngestStatus.StoredWithRowErrors);
        (await PathsAsync(instances[0], "secure/")).Should().BeEquivalentTo(stored.MartFiles);
        (await instances[0].Audit.ReadAsync(CancellationToken.None).CountAsync(e => e.Entry.Kind == AuditKinds.Written)).Should().Be(stored.MartFiles!.Count);
    }

    [Fact]
    public async Task Storage_answering_503s_is_retried_and_the_ingest_completes()
    {
        var hub = Hub();
        var landed = await LandAsync(hub);
        var failures = 0;
        _proxy!.Fault = _ => Interlocked.Increment(ref failures) % 3 == 1 ? 503 : null; // every third request fails once

        var outcome = await new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None);

        outcome.Status.Should().BeOneOf([IngestStatus.Stored, IngestStatus.StoredWithRowErrors], outcome.Message);
        _proxy.Faults.Should().BeGreaterThan(2);
        (await PathsAsync(hub, "secure/")).Should().BeEquivalentTo(outcome.MartFiles);
    }

    [Fact]
    public async Task Key_vault_unreachable_fails_clearly_and_writes_nothing()
    {
        var secrets = new Mock<SecretClient>(MockBehavior.Strict);
        secrets.Setup(c => c.GetSecretAsync(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "Service Unavailable"));
        var hub = Hub() with { Keys = new KeyVaultKeyProvider(secrets.Object, AzureNames.DefaultKeySecretName, _clock) };
        var landed = await LandAsync(hub);

        var outcome = await new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None);

        outcome.Status.Should().Be(IngestStatus.Failed);
        outcome.Message.Should().Contain("Key Vault could not be reached").And.Contain(AzureNames.DefaultKeySecretName);
        (await PathsAsync(hub, "secure/")).Should().BeEmpty();
        (await PathsAsync(hub, "quarantine/")).Should().BeEmpty();
        (await hub.Store.GetAsync(LandingPath, CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task File_failing_on_every_attempt_is_quarantined_as_poison_after_the_configured_attempts()
    {
        var hub = Hub(maxAttempts: 2);
        var landed = await LandAsync(hub);
        _proxy!.Fault = request => request.Method == "PUT" && request.Path.Value!.Contains("/secure/", StringComparison.Ordinal) ? 503 : null;

        var first = await new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None);
        var second = await new IngestExtract(hub).HandleAsync(LandingPath, landed.ETag, CancellationToken.None);

        first.Status.Should().Be(IngestStatus.Failed);
        second.Status.Should().Be(IngestStatus.Quarantined);
        second.Rule.Should().Be("ingest.poison");
        (await PathsAsync(hub, "secure/")).Should().BeEmpty();
        (await PathsAsync(hub, "quarantine/")).Should().Contain(p => p.EndsWith(SafeNames.FileLabel(Extract.FileName), StringComparison.Ordinal));
        var receipt = await hub.Receipts.GetAsync(new ReceiptKey(Extract.Partner, Extract.Feed, first.Sha256!), CancellationToken.None);
        receipt!.FailedAttempts.Should().Be(2);
        (await hub.Audit.ReadAsync(CancellationToken.None).CountAsync(e => e.Entry.Kind == AuditKinds.Poisoned)).Should().Be(1);
    }

    private static async Task<IngestStatus?> Record(Func<Task<IngestOutcome>> attempt)
    {
        try
        {
            return (await attempt()).Status;
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException)
        {
            return null; // Storage went away under the handler itself: the host sees a 500 and retries.
        }
    }
}
