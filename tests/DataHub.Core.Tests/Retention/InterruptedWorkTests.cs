using DataHub.Core.Hub;
using DataHub.Core.Retention;
using DataHub.Core.Tests.Ingestion;

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
        var olderNaming = Write(landing, $".tmp-{Guid.NewGuid():N}-jan.csv", "old", age: TimeSpan.FromHours(2));
        var live = Write(landing, $".tmp-{ProcessIdentity.Current.Tag}-{Guid.NewGuid():N}", "a write under way");
        var recentOlderNaming = Write(landing, $".tmp-{Guid.NewGuid():N}-feb.csv", "maybe under way");

        var outcome = await new InterruptedWork(hub.Hub).RunAsync(default);

        outcome.TemporaryFiles.Should().Be(3);
        File.Exists(killedCopy).Should().BeFalse("a killed copy into landing holds raw identifiable data");
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
}
