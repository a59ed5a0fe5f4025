using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Host.Commands;
using DataHub.Host.Embedded;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 14, acceptance 3: each procedure of docs/runbook.md, run as an operator would run it.</summary>
public sealed class RunbookTests : IDisposable
{
    private static readonly SyntheticDataset Small = SyntheticHub.Generate(new SeedOptions { Families = 20 });
    private readonly List<IDisposable> _roots = [];

    public void Dispose() => _roots.ForEach(r => r.Dispose());

    // A quarantined file is kept as "{first 16 hex of its content's hash}-{its name's label}": the name itself is never kept.
    private static string Quarantined(HubRoot root, string folder) =>
        root.Files("quarantine").Should().ContainSingle(f => f.StartsWith($"quarantine/{folder}/", StringComparison.Ordinal) && f.EndsWith("-" + root.Label("jan.csv"), StringComparison.Ordinal)).Subject;

    private HubRoot Root(ManualClock? clock = null)
    {
        var root = new HubRoot(clock);
        _roots.Add(root);
        return root;
    }

    private static SyntheticFile Feed(string feed, SyntheticDataset? dataset = null) => (dataset ?? Small).Files.First(f => f.Feed == feed);

    private static async Task IngestCohortAndPoliceAsync(HubRoot root)
    {
        (await root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        foreach (var file in new[] { Feed("csc-people"), Feed("police-da-incidents") })
        {
            (await root.IngestAsync(file.Partner, file.Feed, file.FileName, file.Content)).Code.Should().Be(ExitCodes.Ok);
        }
    }

    [Fact]
    public async Task Rotating_the_pseudonymisation_key_is_audited_and_the_rollup_refuses_to_mix_versions_keeping_the_published_one()
    {
        var root = Root();
        await IngestCohortAndPoliceAsync(root);
        (await root.RunAsync("rollup")).Code.Should().Be(ExitCodes.Ok);
        var published = root.Text("published/kpi/current.json");

        (await root.RunAsync("key", "rotate")).Code.Should().Be(ExitCodes.Ok);
        var later = Feed("police-da-incidents", SyntheticHub.Generate(new SeedOptions { Families = 21 }));
        (await root.IngestAsync(later.Partner, later.Feed, "later.csv", later.Content)).Code.Should().Be(ExitCodes.Ok);
        var (code, output) = await root.RunAsync("rollup");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("v1").And.Contain("v2");
        root.Text("published/kpi/current.json").Should().Be(published, "the last good version stays current");
        (await root.RunAsync("audit", "show")).Output.Should().Contain(AuditKinds.KeyRotated).And.Contain(AuditKinds.KpiRefused);
    }

    [Fact]
    public async Task Rekeying_into_a_fresh_root_reingests_the_raw_archive_and_publishes_under_the_new_key()
    {
        var old = Root();
        await IngestCohortAndPoliceAsync(old);
        var fresh = Root();
        (await fresh.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var archived = old.Files("landing/_processed");
        archived.Should().HaveCount(2);
        foreach (var file in archived)
        {
            var parts = file.Split('/');

            // Archived a moment ago by the real clock, which the fresh root's test clock stands behind: delivered earlier.
            (await fresh.RunAsync("ingest", Delivered.Earlier(Path.Combine(old.Path, file), fresh.Clock), "--partner", parts[2], "--feed", parts[3])).Code.Should().Be(ExitCodes.Ok);
        }

        (await fresh.RunAsync("rollup")).Code.Should().Be(ExitCodes.Ok);
        var oldTokens = await MartFiles.RowsAsync(Path.Combine(old.Path, "secure", "csc-people", "*", "*.parquet"));
        var newTokens = await MartFiles.RowsAsync(Path.Combine(fresh.Path, "secure", "csc-people", "*", "*.parquet"));
        newTokens.Should().HaveSameCount(oldTokens);
        static IEnumerable<string> Tokens(List<Dictionary<string, System.Text.Json.JsonElement>> rows) => rows.Select(r => r["name_dob_token"].Text()).OfType<string>();
        Tokens(newTokens).Should().NotBeEmpty().And.NotIntersectWith(Tokens(oldTokens), "the fresh root's key makes other tokens");
        (await old.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
        (await fresh.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task A_file_refused_under_an_expired_agreement_is_stored_from_quarantine_once_the_renewed_agreement_is_loaded()
    {
        var root = Root(ManualClock.On(2031, 1, 2));
        (await root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var police = Feed("police-da-incidents");
        (await root.IngestAsync(police.Partner, police.Feed, "jan.csv", police.Content)).Code.Should().Be(ExitCodes.Rejected);
        var kept = Quarantined(root, "police/police-da-incidents");
        root.Text(kept + ".report.json").Should().Contain(Core.Protocols.ProtocolRules.Expired);

        var renewed = Directory.CreateDirectory(Path.Combine(root.Inputs, "protocols")).FullName;
        foreach (var yaml in Directory.GetFiles(Path.Combine(RepoPaths.Root, "functions", "protocols"), "*.yaml"))
        {
            File.Copy(yaml, Path.Combine(renewed, Path.GetFileName(yaml)));
        }

        var file = Path.Combine(renewed, "police.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("valid_to: 2030-12-31", "valid_to: 2033-12-31", StringComparison.Ordinal).Replace("DSA-FS-2024-POL-01", "DSA-FS-2031-POL-02", StringComparison.Ordinal));
        var (code, output) = await root.RunAsync("ingest", Path.Combine(root.Path, kept), "--partner", "police", "--feed", "police-da-incidents", "--protocols", renewed);
        code.Should().Be(ExitCodes.Ok, output);
        var mart = root.Files("secure").First(f => f.EndsWith(".parquet", StringComparison.Ordinal));
        (await MartFiles.MetadataAsync(Path.Combine(root.Path, mart)))["datahub.agreement"].Should().Be("DSA-FS-2031-POL-02");
    }

    [Fact]
    public async Task A_quarantined_file_stays_with_its_report_and_the_corrected_file_sent_again_is_stored()
    {
        var root = Root();
        (await root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var police = Feed("police-da-incidents");
        var text = Encoding.UTF8.GetString(police.Content);
        var broken = text.Replace("/20", "/x0", StringComparison.Ordinal);
        (await root.IngestAsync(police.Partner, police.Feed, "jan.csv", broken)).Code.Should().Be(ExitCodes.Rejected);
        var kept = Quarantined(root, "police/police-da-incidents");
        root.Text(kept + ".report.csv").Should().Contain("date");

        (await root.IngestAsync(police.Partner, police.Feed, "jan.csv", police.Content)).Code.Should().Be(ExitCodes.Ok);
        root.Files("quarantine").Should().Contain([kept, kept + ".report.json"], "the rejected file and its report stay for the partner");
        root.Files("secure").Should().NotBeEmpty();
    }

    [Fact]
    public async Task After_a_crash_the_torn_audit_line_is_repaired_and_the_file_left_in_landing_is_ingested()
    {
        var root = Root();
        (await root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);

        // The crash: a file landed, and the process died half-way through writing its first audit event.
        var police = Feed("police-da-incidents");
        var landing = Directory.CreateDirectory(Path.Combine(root.Path, "landing", police.Partner, police.Feed)).FullName;
        await File.WriteAllBytesAsync(Path.Combine(landing, "jan.csv"), police.Content);
        await File.AppendAllTextAsync(Path.Combine(root.Path, "audit", "audit-log.jsonl"), "{\"seq\":2,\"time\":\"2026-11-22T12:00:00.0000000Z\",\"kind\":\"rece");

        (await root.RunAsync("audit", "verify")).Output.Should().Contain("torn");
        (await root.RunAsync("audit", "repair")).Code.Should().Be(ExitCodes.Ok);
        using (var hub = EmbeddedHub.Open(root.Path, null, root.Clock))
        {
            var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.Zero, _ => { });
            await runner.PollOnceAsync(default);
            (await runner.PollOnceAsync(default)).Should().ContainSingle().Which.Status.Should().Be(IngestStatus.Stored);
        }

        (await root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task A_raw_file_sent_to_a_feed_outside_its_agreement_is_quarantined_unread_and_retention_removes_it()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var root = Root(clock);
        (await root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var police = Feed("police-da-incidents");
        var (code, output) = await root.IngestAsync(police.Partner, "school-attendance", "jan.csv", police.Content);
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain(Core.Protocols.ProtocolRules.FeedNotInAgreement);
        root.Files("secure").Should().BeEmpty("nothing of it reached a mart");
        Quarantined(root, "police/school-attendance");

        clock.Advance(TimeSpan.FromDays(31));
        (await root.RunAsync("retention")).Code.Should().Be(ExitCodes.Ok);
        root.Files("quarantine").Should().NotContain(f => f.EndsWith(root.Label("jan.csv"), StringComparison.Ordinal));
        (await root.RunAsync("audit", "show")).Output.Should().Contain(AuditKinds.Deleted).And.Contain("retention.quarantine");
        (await root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
    }
}
