using System.Text;
using DataHub.Azure.Tests.Functions;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Retention;

/// <summary>
/// Retention on Azure when the service refuses a delete with HTTP 403 (the app's identity holds no role to delete there):
/// as for a local file the hub's user cannot open, the file is kept and warned of by label, with the Azure fix, and the run
/// goes on. On an Azurite of its own behind a fault proxy, which answers the 403.
/// </summary>
public sealed class RetentionAccessDeniedTests(FaultyStorage storage) : IClassFixture<FaultyStorage>
{
    [Fact]
    public async Task A_file_past_retention_whose_delete_is_refused_with_403_is_kept_and_warned_of_with_the_role_to_grant_not_chmod()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var logs = new LoggedLines();
        var hub = TestHubs.Azure(storage.ConnectionString, storage.Emulator.KeyRoot, clock, logging: logs);
        var denied = $"quarantine/police/police-da-incidents/Jane Plomquist {Guid.NewGuid():N}.csv";
        var other = $"quarantine/police/police-da-incidents/other-{Guid.NewGuid():N}.csv";
        foreach (var path in new[] { denied, other })
        {
            await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.ASCII.GetBytes("x"), ct).AsTask(), WriteOptions.Default, CancellationToken.None);
        }

        clock.Advance(TimeSpan.FromDays(31));
        storage.Proxy.Fault = request => request.Method == "DELETE" && Uri.UnescapeDataString(request.Path.Value!).Contains("Plomquist", StringComparison.Ordinal) ? 403 : null;
        RetentionOutcome outcome;
        try
        {
            outcome = await new EnforceRetention(hub).RunAsync(CancellationToken.None);
        }
        finally
        {
            storage.Proxy.Fault = _ => null;
        }

        outcome.Deleted.Select(d => d.Path).Should().Contain(other, "the run goes on").And.NotContain(denied);
        (await hub.Store.GetAsync(denied, CancellationToken.None)).Should().NotBeNull("a refused delete keeps the file");
        logs.Warnings.Should().ContainSingle(w => w.StartsWith("Retention cannot delete", StringComparison.Ordinal)).Which.Should()
            .Contain("Storage Blob Data Owner").And.Contain("'quarantine'").And.NotContain("chmod").And.NotContain("Plomquist");
    }
}
