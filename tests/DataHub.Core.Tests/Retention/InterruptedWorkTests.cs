using DataHub.Core.Hub;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Ingestion;
using DataHub.Testing;

namespace DataHub.Core.Tests.Retention;

/// <summary>Issue 9: the temporary files a killed process leaves are cleaned up by the next start and by retention.</summary>
public sealed class InterruptedWorkTests
{
    [Fact]
    public async Task Temporary_files_of_gone_processes_are_swept_and_a_live_writers_are_kept()
    {
        using var hub = new HubFixture();
        var landing = Directory.CreateDirectory(Path.Combine(hub.Root, "landing", "police", "police-da-incidents")).FullName;
        var secure = Directory.CreateDirectory(Path.Combine(hub.Root, "secure", "police-da-incidents", "quarter=2018Q1")).FullName;
        var gone = EndedProcess.Tag();
        var killedCopy = Write(landing, $".tmp-{gone}-{Guid.NewGuid():N}", "forename,surname\nZoe,Smith\n");
        var killedMart = Write(secure, $".tmp-{gone}-{Guid.NewGuid():N}", "PAR1");
        var archive = Directory.CreateDirectory(Path.Combine(hub.Root, "landing", "_processed", "police", "police-da-incidents", "police-0123456789abcdef")).FullName;
        var killedArchiveCopy = Write(archive, $".tmp-{gone}-{Guid.NewGuid():N}", "forename,surname\nZoe,Smith\n");
        var olderNaming = Write(landing, $".tmp-{Guid.NewGuid():N}-jan.csv", "old", age: TimeSpan.FromHours(2));
        var live = Write(landing, $".tmp-{ProcessIdentity.Current.Tag}-{Guid.NewGuid():N}", "a write under way");
        var recentOlderNaming = Write(landing, $".tmp-{Guid.NewGuid():N}-feb.csv", "maybe under way");

        var outcome = await new InterruptedWork(hub.Hub).RunAsync(default);

        outcome.TemporaryFiles.Should().Be(4);
        File.Exists(killedCopy).Should().BeFalse("a killed copy into landing holds raw identifiable data");
        File.Exists(killedArchiveCopy).Should().BeFalse("so does the archive's copy of a stored file, written before its receipt");
        File.Exists(killedMart).Should().BeFalse();
        File.Exists(olderNaming).Should().BeFalse();
        File.Exists(live).Should().BeTrue("this process is alive and may still commit it");
        File.Exists(recentOlderNaming).Should().BeTrue("without a writer in its name, only age tells it is abandoned");
    }

    [Fact]
    public async Task Retention_sweeps_abandoned_temporary_files_too()
    {
        using var hub = new HubFixture();
        var killed = Write(Directory.CreateDirectory(Path.Combine(hub.Root, "quarantine", "police")).FullName, $".tmp-{EndedProcess.Tag()}-{Guid.NewGuid():N}", "x");

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        File.Exists(killed).Should().BeFalse();
        outcome.Cleanup.TemporaryFiles.Should().Be(1);
        outcome.Summary.Should().Contain("cleaned up 1 temporary files");
    }

    [Fact]
    public async Task A_mart_file_no_manifest_lists_stays_while_the_audit_log_cannot_record_its_removal()
    {
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n");
        stored.Status.Should().Be(Core.Ingestion.IngestStatus.Stored, stored.Message);
        var listed = (await hub.ListAsync("secure/police-da-incidents/quarter=")).First();
        var unlisted = listed.Replace(".parquet", "-0000000000000000.parquet", StringComparison.Ordinal);
        await hub.Store.CopyAsync(listed, unlisted, default);
        var log = Path.Combine(hub.Root, "audit", "audit-log.jsonl");
        var torn = File.ReadAllBytes(log)[..^20];
        File.WriteAllBytes(log, torn);

        var cleanUp = () => new InterruptedWork(hub.Hub).RunAsync(default);

        var refused = (await cleanUp.Should().ThrowAsync<Core.Audit.AuditChainBrokenException>()).Which;
        refused.Written.Should().BeNull("the log's end was checked before anything was removed");
        (await hub.Store.GetAsync(unlisted, default)).Should().NotBeNull("a removal the audit log cannot record is not made");
        File.ReadAllBytes(log).Should().Equal(torn);
    }

    [Fact]
    public async Task A_mart_file_whose_delete_the_store_refuses_is_kept_and_warned_of_and_clean_up_goes_on()
    {
        var logs = new LoggedLines();
        using var hub = new HubFixture();
        var stored = await hub.DropAndIngestAsync("landing/police/police-da-incidents/Jane Plomquist.csv", HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n");
        stored.Status.Should().Be(Core.Ingestion.IngestStatus.Stored, stored.Message);
        var listed = (await hub.ListAsync("secure/police-da-incidents/quarter=")).First();
        var unlisted = listed.Replace(".parquet", "-0000000000000000.parquet", StringComparison.Ordinal);
        await hub.Store.CopyAsync(listed, unlisted, default);
        var refusingHub = hub.Hub with { Store = new RefusesDeleteUnder(hub.Store, "-0000000000000000.parquet"), Logging = logs };

        var outcome = await new InterruptedWork(refusingHub).RunAsync(default);

        outcome.UncommittedMartFiles.Should().BeEmpty();
        (await hub.Store.GetAsync(unlisted, default)).Should().NotBeNull("a refused delete keeps the file");
        logs.Warnings.Should().ContainSingle(w => w.Contains("police-da-incidents", StringComparison.Ordinal)).Which.Should()
            .Contain("grant the hub its role").And.NotContain("Plomquist");
    }

    private static string Write(string folder, string name, string content, TimeSpan? age = null)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        if (age is { } old)
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - old);
        }

        return path;
    }

    /// <summary>Refuses every delete of a path ending in <paramref name="suffix"/>, as a store whose user may not delete there.</summary>
    private sealed class RefusesDeleteUnder(IObjectStore inner, string suffix) : DelegatingStore(inner)
    {
        public override Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) =>
            path.EndsWith(suffix, StringComparison.Ordinal)
                ? throw new ObjectUnreachableException(path, UnreachableCause.AccessDenied, "grant the hub its role")
                : base.DeleteAsync(path, ifMatchETag, cancellationToken);
    }
}
