using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Governance;
using DataHub.Core.Hub;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Functions;

/// <summary>
/// On blob storage, a rollup stalled before its manifest longer than the abandoned-version age while another run clears its
/// folder: the run's create-only manifest meets the clearing's marker and is refused (409), so the folder is never current
/// (each class has its own Azurite: the pointers are theirs).
/// </summary>
public sealed class StalledRollupTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("stalled-rollup-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task A_rollup_stalled_before_its_manifest_while_another_run_cleared_its_folder_is_refused_on_blob_storage()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        await StalledPublication.IngestAsync(app, hub, fixture.Azurite.ConnectionString);
        var first = await StalledPublication.KpiOnly(hub, hub.Store).RunAsync(new RollupRequest(), CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(hub.Store, StoreStep.BeginWrite, p => StalledPublication.IsManifest(p, "published/kpi/v="), stall);
        var stalled = Task.Run(() => StalledPublication.KpiOnly(hub, held).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(120));
        var folder = await StalledPublication.UnpublishedFolderAsync(hub.Store, "published/kpi/");

        // Past the abandoned age another run clears the folder, then fails before it switches.
        clock.Advance(TimeSpan.FromMinutes(10));
        var clearing = new FailsAt(hub.Store, 1, p => p.StartsWith("secure/kpi/v=", StringComparison.Ordinal) && !p.StartsWith(StalledPublication.SecureOf(folder), StringComparison.Ordinal));
        var run = () => StalledPublication.KpiOnly(hub, clearing).RunAsync(new RollupRequest(), CancellationToken.None);
        await run.Should().ThrowAsync<IOException>();

        stall.Release();
        var resumed = await stalled;

        resumed.ClearedAsAbandoned.Should().BeTrue();
        (await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().Be(first.VersionPath);
        await StalledPublication.AssertWholeAsync(hub.Store, first.VersionPath);
        (await hub.Store.ListAsync(folder + "/", CancellationToken.None).ToListAsync()).Should().ContainSingle()
            .Which.Should().Match<StoredObject>(o => o.Path == folder + "/manifest.json" && o.Length == 0, "only the clearing's marker is left");
        (await hub.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.KpiRefused)
            .Which.Entry.Rule.Should().Be("rollup.version_cleared");
    }
}

/// <summary>On blob storage, a clearing that reaches a stalled run's folder after its manifest: the clearing's create-only marker is refused and the version stays whole.</summary>
public sealed class ClearingAfterManifestTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("clearing-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task A_clearing_that_reaches_a_stalled_runs_folder_after_its_manifest_leaves_that_version_whole_on_blob_storage()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        await StalledPublication.IngestAsync(app, hub, fixture.Azurite.ConnectionString);
        await StalledPublication.KpiOnly(hub, hub.Store).RunAsync(new RollupRequest(), CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(hub.Store, StoreStep.BeginWrite, p => StalledPublication.IsManifest(p, "published/kpi/v="), stall);
        var stalled = Task.Run(() => StalledPublication.KpiOnly(hub, held).RunAsync(new RollupRequest(), CancellationToken.None));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(120));
        var folder = await StalledPublication.UnpublishedFolderAsync(hub.Store, "published/kpi/");
        var secure = StalledPublication.SecureOf(folder);

        // Another run finds the folder abandoned and is held just before its first change to it.
        clock.Advance(TimeSpan.FromMinutes(10));
        var clearerHeld = new Stall();
        var reaching = new StallingStore(hub.Store, StoreStep.WriteOrDelete, p => p.StartsWith(folder + "/", StringComparison.Ordinal) || p.StartsWith(secure + "/", StringComparison.Ordinal), clearerHeld);
        var clearing = new FailsAt(reaching, 1, p => p.StartsWith("secure/kpi/v=", StringComparison.Ordinal) && !p.StartsWith(secure, StringComparison.Ordinal));
        var run = Task.Run(() => StalledPublication.KpiOnly(hub, clearing).RunAsync(new RollupRequest(), CancellationToken.None));
        await clearerHeld.Reached.WaitAsync(TimeSpan.FromSeconds(120));

        stall.Release();
        var resumed = await stalled;
        clearerHeld.Release();
        await FluentActions.Awaiting(() => run).Should().ThrowAsync<IOException>();

        resumed.ClearedAsAbandoned.Should().BeFalse();
        (await RollupQuarter.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().Be(folder);
        await StalledPublication.AssertWholeAsync(hub.Store, folder);
        (await hub.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Should().NotContain(e => e.Entry.Rule == "rollup.abandoned_version");
    }
}

/// <summary>On blob storage, a governance publication stalled before its manifest while another cleared its folder is refused and never current.</summary>
public sealed class StalledGovernanceTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly TempFolder _keys = new("stalled-governance-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task A_governance_publication_stalled_before_its_manifest_while_another_cleared_its_folder_is_refused_on_blob_storage()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, clock);
        var hub = app.GetRequiredService<HubContext>();
        await StalledPublication.IngestAsync(app, hub, fixture.Azurite.ConnectionString);
        await StalledPublication.KpiOnly(hub, hub.Store).RunAsync(new RollupRequest(), CancellationToken.None);
        var marts = await new MartLoader(hub.Store).LoadAsync(CancellationToken.None);
        var first = await new GovernancePublisher(hub, StalledPublication.ShortAge(hub)).PublishAsync(marts, clock.GetUtcNow(), CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(1));
        var stall = new Stall();
        var held = new StallingStore(hub.Store, StoreStep.BeginWrite, p => StalledPublication.IsManifest(p, "published/governance/v="), stall);
        var read = clock.GetUtcNow();
        var stalled = Task.Run(() => new GovernancePublisher(hub with { Store = held }, StalledPublication.ShortAge(hub)).PublishAsync(marts, read, CancellationToken.None));
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(120));
        var folder = await StalledPublication.UnpublishedFolderAsync(hub.Store, "published/governance/");

        clock.Advance(TimeSpan.FromMinutes(10));
        var clearing = new FailsAt(hub.Store, 1, p => p.StartsWith("published/governance/v=", StringComparison.Ordinal) && p.EndsWith(".csv", StringComparison.Ordinal) && !p.StartsWith(folder + "/", StringComparison.Ordinal));
        var publish = () => new GovernancePublisher(hub with { Store = clearing }, StalledPublication.ShortAge(hub)).PublishAsync(marts, clock.GetUtcNow(), CancellationToken.None);
        await publish.Should().ThrowAsync<IOException>();

        stall.Release();
        var resumed = await stalled;

        resumed.ClearedAsAbandoned.Should().BeTrue();
        (await GovernancePublisher.CurrentVersionAsync(hub.Store, CancellationToken.None)).Should().Be(first.VersionPath);
        await StalledPublication.AssertWholeAsync(hub.Store, first.VersionPath);
        (await hub.Store.ListAsync(folder + "/", CancellationToken.None).ToListAsync()).Should().ContainSingle()
            .Which.Should().Match<StoredObject>(o => o.Path == folder + "/manifest.json" && o.Length == 0, "only the clearing's marker is left");
        (await hub.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Should().ContainSingle(e => e.Entry.Kind == GovernancePublisher.RefusedKind)
            .Which.Entry.Rule.Should().Be("governance.version_cleared");
    }
}

/// <summary>What the stalled-publication tests share: the CSC people feed ingested, the KPI step alone with a five-minute abandoned age, and a version checked whole.</summary>
internal static class StalledPublication
{
    public static async Task IngestAsync(ServiceProvider app, HubContext hub, string connectionString)
    {
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        foreach (var file in SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files.Where(f => f.Feed == FeedCatalog.CscPeople))
        {
            await (await Deliveries.LandAsync(hub.Store, connectionString, file)).To(ingest);
        }
    }

    public static RollupSettings ShortAge(HubContext hub) => RollupSettings.FromProtocols(hub.Protocols) with { AbandonedVersionAge = TimeSpan.FromMinutes(5) };

    public static RollupQuarter KpiOnly(HubContext hub, IObjectStore store) => new(store, hub.Audit, hub.Time, ShortAge(hub));

    public static bool IsManifest(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith("/manifest.json", StringComparison.Ordinal);

    public static string SecureOf(string folder) => folder.Replace("published/", "secure/", StringComparison.Ordinal);

    // The one version folder under the prefix without a manifest: the stalled run's.
    public static async Task<string> UnpublishedFolderAsync(IObjectStore store, string prefix)
    {
        var objects = await store.ListAsync(prefix + "v=", CancellationToken.None).Select(o => o.Path).ToListAsync();
        return objects.Select(p => p[..p.LastIndexOf('/')]).Distinct().Single(f => !objects.Contains(f + "/manifest.json"));
    }

    // Every output the version's manifest lists is in the store as written.
    public static async Task AssertWholeAsync(IObjectStore store, string version)
    {
        using var manifest = await JsonDocument.ParseAsync(await store.OpenReadAsync(version + "/manifest.json", null, CancellationToken.None));
        foreach (var output in manifest.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var path = output.GetProperty("path").GetString()!;
            await using var stream = await store.OpenReadAsync(path, null, CancellationToken.None);
            Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)).Should().Be(output.GetProperty("sha256").GetString(), $"{path} is as {version} wrote it");
        }
    }
}
