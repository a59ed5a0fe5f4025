using DataHub.Core.Audit;
using DataHub.Core.Retention;
using DataHub.Core.Tests.Ingestion;
using DataHub.Testing;

namespace DataHub.Core.Tests.Retention;

/// <summary>A retention run killed around one of its deletions: the next run records every deletion made, once, and claims none not made.</summary>
public sealed class InterruptedRetentionTests
{
    private const string Csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n";

    public enum StopAt
    {
        BeforeTheDelete,
        AfterTheDeleteBeforeItsEvent,
        AfterItsEvent,
    }

    [Theory]
    [InlineData(StopAt.BeforeTheDelete)]
    [InlineData(StopAt.AfterTheDeleteBeforeItsEvent)]
    [InlineData(StopAt.AfterItsEvent)]
    public async Task A_run_stopped_around_a_deletion_leaves_it_recorded_exactly_once_after_the_next_run(StopAt stop)
    {
        using var fixture = new HubFixture();
        var stored = await fixture.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", Csv);
        var archived = $"landing/_processed/police/police-da-incidents/{stored.BatchId}/{fixture.Labels.Label("jan.csv")}";
        fixture.AdvanceToAge(TimeSpan.FromDays(40));
        var stopping = fixture.Hub with
        {
            Store = new StopsDeleting(fixture.Hub.Store, stop == StopAt.BeforeTheDelete),
            Audit = new StopsRecordingDeletions(fixture.Hub.Audit, stop),
        };

        var killed = () => new EnforceRetention(stopping).RunAsync(default);
        await killed.Should().ThrowAsync<IOException>();
        (await fixture.ListAsync("landing/_processed/")).Should().HaveCount(stop == StopAt.BeforeTheDelete ? 1 : 0);

        await new EnforceRetention(fixture.Hub).RunAsync(default);
        var again = await new EnforceRetention(fixture.Hub).RunAsync(default);

        (await fixture.ListAsync("landing/_processed/")).Should().BeEmpty();
        again.Deleted.Should().BeEmpty();
        var deletions = (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.Deleted).ToList();
        deletions.Should().ContainSingle("the file was deleted once, and that deletion is recorded once").Which.Entry.Path.Should().Be(archived);
        deletions[0].Entry.Rule.Should().Be(EnforceRetention.RawRule);
    }

    /// <summary>A store whose delete of a raw archive entry fails as a killed process would (when asked to).</summary>
    private sealed class StopsDeleting(Core.Storage.IObjectStore inner, bool stop) : DelegatingStore(inner)
    {
        public override Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) =>
            stop && path.StartsWith("landing/_processed/", StringComparison.Ordinal)
                ? throw new IOException("killed before the delete")
                : base.DeleteAsync(path, ifMatchETag, cancellationToken);
    }

    /// <summary>An audit log that stops at the first deletion event: before it is written, or just after.</summary>
    private sealed class StopsRecordingDeletions(IAuditLog inner, StopAt stop) : IAuditLog
    {
        public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (entry.Kind != AuditKinds.Deleted)
            {
                return await inner.AppendAsync(entry, cancellationToken);
            }

            if (stop == StopAt.AfterTheDeleteBeforeItsEvent)
            {
                throw new IOException("killed before the event");
            }

            await inner.AppendAsync(entry, cancellationToken);
            throw new IOException("killed after the event");
        }

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }
}
