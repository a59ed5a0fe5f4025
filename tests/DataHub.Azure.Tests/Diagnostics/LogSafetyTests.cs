using System.Text;
using DataHub.Azure.Tests.Functions;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Rollup;
using DataHub.Functions;
using DataHub.Seeds;
using DataHub.Storage.Local;
using DataHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Azure.Tests.Diagnostics;

/// <summary>With every log turned up to Debug (and the SDK's to Verbose), ingests and a rollup through the Function App on Azurite log nothing identifying.</summary>
[Collection(CapturedLogsCollection.Name)]
public sealed class LogSafetyTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>, IDisposable
{
    // A rejected file's raw values: the report must name lines and rules, never these.
    private static readonly string[] RejectedValues = ["Ottoline", "Quennellworth", "2011-02-31"];
    private readonly TempFolder _keys = new("log-keys");

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Debug_logs_of_an_ingest_and_a_rollup_carry_no_identifier_no_key_material_and_no_signature()
    {
        var dataset = SyntheticHub.Generate();
        using var logs = new CapturedLogs();
        await using var app = TestHubs.FunctionApp(fixture.Azurite.ConnectionString, _keys.Path, ManualClock.On(2026, 11, 22), logging: logs.Factory);
        var hub = app.GetRequiredService<HubContext>();
        var ingest = TestHubs.Function<IngestExtractFunction>(app);
        var files = dataset.Files.Where(f => f.Feed is FeedCatalog.CscPeople or FeedCatalog.PoliceDaIncidents or FeedCatalog.DaProgrammes)
            .Append(dataset.FilesOf(FeedCatalog.SchoolAttendance).First())
            .Append(new SyntheticFile("police", FeedCatalog.PoliceDaIncidents, "rejected.csv", RejectedExtract()))
            .ToList();
        foreach (var file in files)
        {
            await (await Deliveries.LandAsync(hub.Store, fixture.Azurite.ConnectionString, file)).To(ingest);
        }

        await TestHubs.Function<RollupQuarterFunction>(app).RunAsync(new TimerInfo(), CancellationToken.None);
        var text = string.Join("\n", logs.Lines);

        var kinds = await hub.Audit.ReadAsync(CancellationToken.None).Select(e => e.Entry.Kind).ToListAsync();
        kinds.Should().Contain([AuditKinds.Quarantined, AuditKinds.Written, RollupQuarter.AuditKind]);
        logs.Lines.Should().Contain(l => l.StartsWith("[Debug] DataHub.Storage: Storage PUT secure", StringComparison.Ordinal), "storage requests are logged at Debug");
        logs.Lines.Should().Contain(l => l.StartsWith("[Information] DataHub.Ingest", StringComparison.Ordinal));
        foreach (var raw in dataset.RawValues.All.Where(v => v.Length >= 6).Concat(RejectedValues))
        {
            text.Should().NotContain(raw, "no identifier, name or date of birth reaches a log");
        }

        var key = await new LocalKeyProvider(_keys.Path).GetCurrentAsync(CancellationToken.None);
        text.Should().NotContain(Convert.ToBase64String(key.Material)).And.NotContainEquivalentOf(Convert.ToHexString(key.Material));
        text.Should().NotContain("sig=").And.NotContain("SharedKey").And.NotContain("AccountKey").And.NotContain("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1");

        // File names: only those the audit trail itself records.
        var audited = string.Join("\n", await hub.Audit.ReadAsync(CancellationToken.None).Select(e => e.Entry.Path + " " + e.Entry.Detail).ToListAsync());
        foreach (var file in files.Where(f => text.Contains(f.FileName, StringComparison.Ordinal)))
        {
            audited.Should().Contain(file.FileName, "the logs name it only if the audit does: " + string.Join(" | ", logs.Lines.Where(l => l.Contains(file.FileName, StringComparison.Ordinal))));
        }
    }

    // Two of three rows have an impossible date: far above the police agreement's tolerance, so the file is quarantined.
    private static byte[] RejectedExtract()
    {
        var header = string.Join(",", FeedCatalog.Find(FeedCatalog.PoliceDaIncidents)!.Fields.Select(f => f.Name));
        return Encoding.UTF8.GetBytes(
            header + "\n" +
            "DA90000001,2019-05-01,victim,Ottoline,Quennellworth,2011-02-31,F,Y,N\n" +
            "DA90000002,2019-13-45,perpetrator,Ottoline,Quennellworth,2001-03-04,F,N,N\n" +
            "DA90000003,2019-05-03,other,Ottoline,Quennellworth,2001-03-04,F,N,N\n");
    }
}
