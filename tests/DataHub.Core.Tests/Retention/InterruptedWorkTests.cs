using System.Diagnostics;
using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Retention;
using DataHub.Core.Tests.Ingestion;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Retention;

/// <summary>Issue 9: what a killed process leaves (temporary files, a torn audit line) is cleaned up by the next start and by retention.</summary>
public sealed class InterruptedWorkTests
{
    [Fact]
    public async Task Temporary_files_of_gone_processes_are_swept_and_a_live_writers_are_kept()
    {
        using var hub = new HubFixture();
        var landing = Directory.CreateDirectory(Path.Combine(hub.Root, "landing", "police", "police-da-incidents")).FullName;
        var secure = Directory.CreateDirectory(Path.Combine(hub.Root, "secure", "police-da-incidents", "quarter=2018Q1")).FullName;
        var gone = GoneProcessTag();
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
        var killed = Write(Directory.CreateDirectory(Path.Combine(hub.Root, "quarantine", "police")).FullName, $".tmp-{GoneProcessTag()}-{Guid.NewGuid():N}", "x");

        var outcome = await new EnforceRetention(hub.Hub).RunAsync(default);

        File.Exists(killed).Should().BeFalse();
        outcome.Cleanup.TemporaryFiles.Should().Be(1);
        outcome.Summary.Should().Contain("cleaned up 1 temporary files");
    }

    [Theory]
    [InlineData(false)] // cut part-way through the line: never recorded, cut off
    [InlineData(true)] // written whole, killed before the newline and the head: kept
    public async Task A_torn_last_audit_line_is_repaired_and_the_chain_stays_intact(bool whole)
    {
        using var folder = new TempFolder("audit");
        var clock = ManualClock.On(2026, 11, 22);
        var log = new LocalAuditLog(folder.Path, clock);
        await log.AppendAsync(new AuditEntry(AuditKinds.Received, "police"), default);
        var second = AuditChain.ToJsonLine(AuditChain.Seal(new AuditEntry(AuditKinds.Validated, "police"), (await log.ReadAsync(default).ToListAsync())[0], clock.GetUtcNow()));
        await File.AppendAllTextAsync(log.LogPath, System.Text.Encoding.UTF8.GetString(whole ? second : second[..(second.Length / 2)]));

        (await log.RepairAsync(default)).Should().BeTrue();
        await log.AppendAsync(new AuditEntry(AuditKinds.Archived, "police"), default);

        var verified = await AuditVerifier.VerifyAsync(log, default);
        verified.Intact.Should().BeTrue(verified.Message);
        verified.EventsChecked.Should().Be(whole ? 3 : 2);
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

    private static string GoneProcessTag()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeSeconds();
        process.WaitForExit();
        return string.Create(CultureInfo.InvariantCulture, $"{process.Id}-{started:x}");
    }
}
