using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Retention;
using DataHub.Core.Tests.Ingestion;

namespace DataHub.Core.Tests.Retention;

/// <summary>Retention takes a committed mart batch as a whole: its manifest first (the batch is invisible at once), then its files.</summary>
public sealed class MartRetentionTests
{
    private const string Csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\nINC2,2018-07-01,victim,Ann,Jones,1991-05-06,F,N,N\n";

    [Fact]
    public async Task A_batch_past_its_mart_retention_goes_whole_manifest_first()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        hub.Clock.Advance(TimeSpan.FromDays(2556));

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        var manifest = MartManifest.PathFor("police-da-incidents", stored.BatchId!);
        outcome.Deleted.Where(d => d.Rule == EnforceRetention.MartRule).Select(d => d.Path).Should().Equal([manifest, .. stored.MartFiles!.Where(p => p != manifest)]);
        (await hub.ListAsync("secure/")).Should().BeEmpty();
        (await hub.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted && e.Entry.Rule == EnforceRetention.MartRule).Should().HaveCount(stored.MartFiles!.Count);
    }

    [Fact]
    public async Task A_batch_within_its_mart_retention_is_kept_whole()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        hub.Clock.Advance(TimeSpan.FromDays(2554));

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        outcome.Deleted.Should().NotContain(d => d.Rule == EnforceRetention.MartRule);
        (await hub.ListAsync("secure/")).Should().BeEquivalentTo(stored.MartFiles);
        (await new MartCatalog(hub.Store).CommittedAsync("police-da-incidents", default)).Should().ContainSingle();
    }
}
