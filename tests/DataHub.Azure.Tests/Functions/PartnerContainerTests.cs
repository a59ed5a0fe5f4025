using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Receipts;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// Who a delivery is from, on Azure: the container it was uploaded into (landing-{partner}, the only one that partner's
/// SFTP user can write), never a folder the uploader chose. Blobs are put straight into the containers, as an SFTP upload
/// puts them, and handed to IngestExtract as their queued Event Grid event or found by the sweep, on an Azurite of this
/// class's own. Each test uses its own extract (feed, content and so batch).
/// </summary>
public sealed class PartnerContainerTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly IReadOnlyList<SyntheticFile> Extracts = Deliveries.SmallExtracts;

    // The sweep compares the clock with the blobs' own write times, so the clock starts at the real now.
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly List<ServiceProvider> _apps = [];

    private string ConnectionString => fixture.Azurite.ConnectionString;

    private BlobServiceClient Blobs => new(ConnectionString);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_blob_created_in_a_partners_own_container_is_ingested_as_that_partner()
    {
        var extract = Extracts[0];
        var app = App();
        var message = await UploadAsync($"landing-{extract.Partner}", $"{extract.Feed}/{extract.FileName}", extract);

        await Function(app).RunAsync(message, CancellationToken.None);

        var received = (await AuditAsync(app, AuditKinds.Received, extract.Feed)).Should().ContainSingle().Subject.Entry;
        received.Partner.Should().Be(extract.Partner, "the container is the partner's");
        (await ReceiptAsync(app, extract.Partner, extract))!.Outcome.Should().Be(ReceiptRules.Stored);
        (await Hub(app).Store.ListAsync($"secure/{extract.Feed}/", CancellationToken.None).ToListAsync()).Should().NotBeEmpty();
        (await Blobs.GetBlobContainerClient($"landing-{extract.Partner}").GetBlobClient($"{extract.Feed}/{extract.FileName}").ExistsAsync()).Value
            .Should().BeFalse("a stored file moves to the archive");
        (await Hub(app).Store.ListAsync($"landing/_processed/{extract.Partner}/{extract.Feed}/", CancellationToken.None).ToListAsync())
            .Should().ContainSingle("the archive is kept in the 'landing' container, where no partner has any permission");
    }

    [Fact]
    public async Task A_blob_put_in_another_partners_folder_of_a_partners_container_is_not_taken_as_that_other_partners()
    {
        // Partner A (the uploader) writes B's extract under B's folder names inside A's own container.
        var extract = Extracts[1];
        var uploader = Extracts.First(e => e.Partner != extract.Partner).Partner;
        var app = App();
        var message = await UploadAsync($"landing-{uploader}", $"{extract.Partner}/{extract.Feed}/{extract.FileName}", extract);

        await Function(app).RunAsync(message, CancellationToken.None);

        (await ReceiptAsync(app, extract.Partner, extract)).Should().BeNull("nothing was ingested as the partner whose folder name was used");
        (await ReceiptAsync(app, uploader, extract)).Should().BeNull("nor as the uploader, under a feed folder it did not use");
        (await AuditAsync(app, AuditKinds.Received, extract.Feed)).Should().BeEmpty();
        (await Hub(app).Store.ListAsync($"secure/{extract.Feed}/", CancellationToken.None).ToListAsync()).Should().BeEmpty();
        await KeptInQuarantineAsync(app, extract, "path.depth");
    }

    [Fact]
    public async Task A_blob_left_in_the_old_shared_landing_container_is_refused_as_nobodys_and_kept_in_quarantine_by_the_sweep()
    {
        var extract = Extracts[2];
        var app = App();
        await UploadAsync(LandingContainers.Landing, $"{extract.Partner}/{extract.Feed}/{extract.FileName}", extract);
        _clock.Advance(TimeSpan.FromMinutes(3));

        var outcomes = (await app.GetRequiredService<LandingSweep>().RunAsync(CancellationToken.None)).Outcomes;

        outcomes.Should().ContainSingle(o => o.Rule == LandingPath.SharedContainerRule, "the sweep lists the old shared container and refuses what is left in it, loudly")
            .Which.Status.Should().Be(IngestStatus.Quarantined);
        (await ReceiptAsync(app, extract.Partner, extract)).Should().BeNull("a folder in the shared container proves nothing about the sender");
        (await AuditAsync(app, AuditKinds.Received, extract.Feed)).Should().BeEmpty();
        await KeptInQuarantineAsync(app, extract, LandingPath.SharedContainerRule);
        (await Blobs.GetBlobContainerClient(LandingContainers.Landing).GetBlobClient($"{extract.Partner}/{extract.Feed}/{extract.FileName}").ExistsAsync()).Value
            .Should().BeFalse("it moved to quarantine, so the next sweep does not refuse it again");
    }

    [Fact]
    public async Task A_blob_in_a_landing_container_no_agreement_names_is_refused_and_kept_not_lost()
    {
        var extract = Extracts[3];
        var app = App();
        var message = await UploadAsync("landing-nobody", $"{extract.Feed}/{extract.FileName}", extract);

        await Function(app).RunAsync(message, CancellationToken.None);

        (await AuditAsync(app, AuditKinds.Received, extract.Feed)).Should().BeEmpty("no partner has an agreement for that container");
        (await ReceiptAsync(app, extract.Partner, extract)).Should().BeNull();
        (await ReceiptAsync(app, "nobody", extract)).Should().BeNull();
        await KeptInQuarantineAsync(app, extract, DataHub.Core.Protocols.ProtocolRules.UnknownPartner);
    }

    [Fact]
    public async Task An_event_for_a_blob_outside_every_landing_container_is_refused_unread_and_the_blob_left_alone()
    {
        var extract = Extracts[4];
        var app = App();
        var message = await UploadAsync("quarantine", $"{extract.Partner}/{extract.Feed}/{extract.FileName}", extract);

        await Function(app).RunAsync(message, CancellationToken.None);

        (await AuditAsync(app, AuditKinds.Received, extract.Feed)).Should().BeEmpty();
        (await Blobs.GetBlobContainerClient("quarantine").GetBlobClient($"{extract.Partner}/{extract.Feed}/{extract.FileName}").ExistsAsync()).Value.Should().BeTrue();
    }

    [Fact]
    public async Task The_sweep_finds_and_stores_files_left_in_every_partner_container()
    {
        var left = Extracts.Skip(5).DistinctBy(e => e.Partner).Take(3).ToList();
        left.Should().HaveCountGreaterThan(1, "files of several partners");
        var app = App();
        foreach (var extract in left)
        {
            await UploadAsync($"landing-{extract.Partner}", $"{extract.Feed}/{extract.FileName}", extract);
        }

        _clock.Advance(TimeSpan.FromMinutes(3));
        await TestHubs.Function<SweepLandingFunction>(app).RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        foreach (var extract in left)
        {
            (await ReceiptAsync(app, extract.Partner, extract))!.Outcome.Should().Be(ReceiptRules.Stored, $"{extract.Partner}'s container was swept");
            (await AuditAsync(app, AuditKinds.Received, extract.Feed)).Should().ContainSingle().Which.Entry.Partner.Should().Be(extract.Partner);
        }
    }

    [Fact]
    public async Task A_message_that_is_not_a_blob_created_event_is_refused_without_repeating_it()
    {
        var app = App();

        (await FluentActions.Awaiting(() => Function(app).RunAsync("{\"subject\":\"landing/police/Zebedee Quillfeather.csv\"}", CancellationToken.None))
            .Should().ThrowAsync<UnreadableLandingEventException>()).Which.Message.Should().NotContain("Zebedee");
    }

    /// <summary>Puts <paramref name="extract"/> at <paramref name="name"/> in <paramref name="container"/>, as an SFTP upload does, and returns its queued event.</summary>
    private async Task<string> UploadAsync(string container, string name, SyntheticFile extract)
    {
        var client = Blobs.GetBlobContainerClient(container);
        await client.CreateIfNotExistsAsync();
        var blob = client.GetBlockBlobClient(name);
        var uploaded = (await blob.UploadAsync(new BinaryData(extract.Content).ToStream())).Value;
        return Deliveries.Event(ConnectionString, container, name, uploaded.ETag.ToString(), extract.Content.Length);
    }

    /// <summary>The file is in quarantine with its bytes as uploaded, under the rule given, and audited as refused.</summary>
    private static async Task KeptInQuarantineAsync(IServiceProvider app, SyntheticFile extract, string rule)
    {
        var refused = await Hub(app).Audit.ReadAsync(CancellationToken.None)
            .Where(e => e.Entry.Kind == AuditKinds.PathRefused && e.Entry.Rule == rule && e.Entry.Path!.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal))
            .ToListAsync();
        var kept = new List<byte[]>();
        foreach (var entry in refused)
        {
            var stream = await Hub(app).Store.OpenReadAsync(entry.Entry.Path!, null, CancellationToken.None);
            await using (stream)
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                kept.Add(copy.ToArray());
            }
        }

        kept.Should().ContainSingle(bytes => bytes.SequenceEqual(extract.Content), "the file is kept whole in quarantine, not dropped");
    }

    private static HubContext Hub(IServiceProvider app) => app.GetRequiredService<HubContext>();

    private static IngestExtractFunction Function(IServiceProvider app) => TestHubs.Function<IngestExtractFunction>(app);

    private static Task<Receipt?> ReceiptAsync(IServiceProvider app, string partner, SyntheticFile extract) =>
        Hub(app).Receipts.GetAsync(new ReceiptKey(partner, extract.Feed, Convert.ToHexStringLower(SHA256.HashData(extract.Content))), CancellationToken.None);

    private static Task<List<AuditEvent>> AuditAsync(IServiceProvider app, string kind, string feed) =>
        Hub(app).Audit.ReadAsync(CancellationToken.None).Where(e => e.Entry.Kind == kind && e.Entry.Feed == feed).ToListAsync().AsTask();

    private ServiceProvider App()
    {
        var app = TestHubs.FunctionApp(ConnectionString, fixture.Azurite.KeyRoot, _clock, TestHubs.QuickRetries(maxRetries: 2));
        _apps.Add(app);
        return app;
    }
}
