using DataHub.Core.Audit;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly TempFolder _root = new("audit");
    private readonly ManualClock _clock = ManualClock.On(2026, 11, 22);

    public void Dispose() => _root.Dispose();

    private async Task<LocalAuditLog> LogWithEventsAsync(int count)
    {
        var log = new LocalAuditLog(_root.Path, _clock);
        for (var i = 0; i < count; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await log.AppendAsync(new AuditEntry(AuditKinds.Received, "police", "police-da-incidents", "DSA-1", new string('a', 64), $"landing/police/police-da-incidents/f{i}.csv", Counts: new Dictionary<string, long> { ["bytes"] = i }), default);
        }

        return log;
    }

    private string[] Lines(LocalAuditLog log) => File.ReadAllLines(log.LogPath);

    [Fact]
    public async Task Each_event_carries_the_hash_of_the_previous_one()
    {
        var log = await LogWithEventsAsync(3);
        var events = await log.ReadAsync(default).ToListAsync();
        events.Select(e => e.Sequence).Should().Equal(1, 2, 3);
        events[0].PreviousHash.Should().Be(AuditChain.Genesis);
        events[1].PreviousHash.Should().Be(events[0].Hash);
        events[2].PreviousHash.Should().Be(events[1].Hash);
        (await AuditVerifier.VerifyAsync(log, default)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Verify_detects_an_edited_event()
    {
        var log = await LogWithEventsAsync(4);
        var lines = Lines(log);
        lines[1] = lines[1].Replace("f1.csv", "f9.csv", StringComparison.Ordinal);
        File.WriteAllLines(log.LogPath, lines);
        var result = await AuditVerifier.VerifyAsync(log, default);
        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(2);
    }

    [Fact]
    public async Task Verify_detects_a_deleted_event()
    {
        var log = await LogWithEventsAsync(4);
        File.WriteAllLines(log.LogPath, Lines(log).Where((_, i) => i != 2));
        (await AuditVerifier.VerifyAsync(log, default)).Intact.Should().BeFalse();
    }

    [Fact]
    public async Task Verify_detects_reordered_events()
    {
        var log = await LogWithEventsAsync(4);
        var lines = Lines(log);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        File.WriteAllLines(log.LogPath, lines);
        (await AuditVerifier.VerifyAsync(log, default)).Intact.Should().BeFalse();
    }

    [Fact]
    public async Task Verify_detects_events_removed_from_the_end()
    {
        var log = await LogWithEventsAsync(4);
        File.WriteAllLines(log.LogPath, Lines(log).Take(3));
        var result = await AuditVerifier.VerifyAsync(log, default);
        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("head");
    }

    [Fact]
    public async Task Verify_detects_a_recomputed_hash_because_the_next_event_no_longer_chains()
    {
        var log = await LogWithEventsAsync(3);
        var events = await log.ReadAsync(default).ToListAsync();
        var forged = events[0] with { Entry = events[0].Entry with { Partner = "someone-else" } };
        forged = forged with { Hash = AuditChain.ComputeHash(forged) };
        var lines = Lines(log);
        lines[0] = System.Text.Encoding.UTF8.GetString(AuditChain.ToJsonLine(forged));
        File.WriteAllLines(log.LogPath, lines);
        (await AuditVerifier.VerifyAsync(log, default)).BrokenAt.Should().Be(2);
    }

    [Fact]
    public async Task Concurrent_appends_keep_one_unbroken_chain()
    {
        var log = new LocalAuditLog(_root.Path, _clock);
        var other = new LocalAuditLog(_root.Path, _clock);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? log : other).AppendAsync(new AuditEntry(AuditKinds.Written, Detail: $"n{i}"), default))));
        var result = await AuditVerifier.VerifyAsync(log, default);
        result.Intact.Should().BeTrue(result.Message);
        result.EventsChecked.Should().Be(40);
    }
}
