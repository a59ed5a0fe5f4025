using System.Text;
using DataHub.Core.Ingestion;
using DataHub.Core.Kpis;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>A health aggregate row is about a cohort by its label: a label the rollup does not report would be stored and used by no KPI.</summary>
public sealed class CohortLabelIngestTests
{
    private const string Path = "landing/icb/health-aggregates/q1.csv";
    private const string Header = "quarter,cohort,age_group,measure,cohort_people,people_with_event,events";

    private static string Health(params string[] cohorts) =>
        Header + "\n" + string.Concat(cohorts.Select(c => $"2018Q1,{c},child,ae_attendances,12,3,5\n"));

    [Fact]
    public async Task Refuses_a_cohort_label_that_names_no_configured_cohort_by_line_and_column_listing_the_labels()
    {
        using var hub = new HubFixture();
        var outcome = await hub.DropAndIngestAsync(Path, Health("C1", "Family Safeguarding"));

        // The ICB agreement tolerates no row errors: the file is quarantined whole, with its report.
        outcome.Status.Should().Be(IngestStatus.Quarantined);
        outcome.Rule.Should().Be("rows.above_tolerance");
        (await hub.ListAsync("secure/")).Should().BeEmpty();
        var csv = hub.Text(outcome.QuarantinePath + ".report.csv");
        csv.Should().Contain("\n3,cohort,cohort.unknown,\"cohort must be the label of one of the cohorts the hub reports: C1, C2, C3, C4, C5, C6");
        csv.Should().NotContain("\n2,");
    }

    [Fact]
    public async Task Accepts_a_configured_cohort_label_written_differently_and_stores_it_as_configured()
    {
        using var hub = new HubFixture();
        var outcome = await hub.DropAndIngestAsync(Path, Health("c1", "C 2"));

        outcome.Status.Should().Be(IngestStatus.Stored);
        var rows = await MartFiles.RowsAsync(hub.Store.FullPath(outcome.MartFiles![0]));
        rows.Select(r => r["cohort"].Text()).Should().Equal("C1", "C2");
    }

    [Fact]
    public async Task Takes_the_cohort_labels_from_the_hubs_configured_cohorts()
    {
        using var hub = new HubFixture();
        var cohorts = CohortDefinition.ToolkitDefaults.Select(c => c with { Name = "FS " + c.Name }).ToArray();
        var ingest = new IngestExtract(hub.Hub with { Kpis = new KpiOptions { Cohorts = cohorts } });
        async Task<IngestOutcome> Ingest(string path, string content)
        {
            var landed = await hub.Store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(), WriteOptions.Default, default);
            return await ingest.HandleAsync(path, landed.ETag, default);
        }

        (await Ingest(Path, Health("FS C1"))).Status.Should().Be(IngestStatus.Stored);
        var refused = await Ingest("landing/icb/health-aggregates/q2.csv", Health("C1"));
        refused.Status.Should().Be(IngestStatus.Quarantined);
        hub.Text(refused.QuarantinePath + ".report.csv").Should().Contain("cohort.unknown").And.Contain("FS C1, FS C2");
    }
}
