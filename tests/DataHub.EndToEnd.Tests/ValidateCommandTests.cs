using System.Text;
using DataHub.Core.Validation;
using DataHub.Host.Commands;
using DataHub.Seeds;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 14: `validate` says why it stopped reading, instead of "Rows: 0 read" and no reason.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Validate_names_the_fault_that_stopped_reading_a_record_too_long()
    {
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        var file = Path.Combine(_root.Inputs, "unclosed.csv");
        await using (var stream = File.Create(file))
        {
            // A good extract whose last record opens a quote that never closes and runs on past the record limit.
            await stream.WriteAsync(police.Content);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("INC9,2018-02-03,victim,\""));
            var filler = Encoding.ASCII.GetBytes(new string('a', 1 << 20));
            for (var i = 0; i < 17; i++)
            {
                await stream.WriteAsync(filler);
            }
        }

        using var output = new StringWriter();
        var code = await DataHub.Host.Program.RunAsync(["validate", file, "--feed", "police-da-incidents"], new CommandEnvironment(output, output, _root.Clock));
        code.Should().Be(ExitCodes.Rejected);
        output.ToString().Should().Contain(Rules.FileRecordTooLong).And.Contain("Reading stopped after").And.Contain("would be quarantined");
    }

    [Fact]
    public async Task Validate_refuses_a_health_aggregates_cohort_label_that_names_no_cohort_at_its_line_and_column()
    {
        var file = Path.Combine(_root.Inputs, "health.csv");
        await File.WriteAllTextAsync(file, "quarter,cohort,age_group,measure,cohort_people,people_with_event,events\n"
            + "2018Q1,c 1,child,ae_attendances,12,3,5\n2018Q1,Family Safeguarding,child,ae_attendances,12,3,5\n");

        using var output = new StringWriter();
        var code = await DataHub.Host.Program.RunAsync(["validate", file, "--feed", "health-aggregates"], new CommandEnvironment(output, output, _root.Clock));

        code.Should().Be(ExitCodes.Rejected);
        var text = output.ToString();
        text.Should().Contain("Rows: 2 read, 1 valid, 1 rejected.");
        text.Should().MatchRegex(@"(?m)^\s*3\s+cohort\s+cohort\.unknown\s+cohort must be the label of one of the cohorts the hub reports: C1, C2, C3, C4, C5, C6");
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_named_by_its_type_only_without_the_path_a_label_or_a_stack_trace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Reading /proc/self/mem from its start fails with an I/O error on Linux only.
        }

        var named = Path.Combine(_root.Inputs, "Jane Smith 4857773456.csv");
        File.CreateSymbolicLink(named, "/proc/self/mem");

        using var output = new StringWriter();
        var code = await DataHub.Host.Program.RunAsync(["validate", named, "--feed", "police-da-incidents"], new CommandEnvironment(output, output, _root.Clock));

        code.Should().Be(ExitCodes.Failed);
        // Validate has no key (it runs where the hub's key is not): an unkeyed digest of the name could be worked back, so none is shown.
        var unkeyed = "file-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("Jane Smith 4857773456.csv")))[..8];
        output.ToString().Should().Contain(DataHub.Core.Ingestion.FileLabels.WithheldLabel + ".csv").And.Contain("IOException").And.NotContain(unkeyed)
            .And.NotContain("Jane").And.NotContain("4857773456").And.NotContain(" at DataHub.");
    }

    [Theory]
    [InlineData("validate", "police-da-incidents")]
    [InlineData("validate", "Jane Smith 4857773456")]
    [InlineData("ingest", "police-da-incidents")]
    public async Task A_missing_file_or_unknown_feed_is_refused_without_repeating_what_was_typed(string command, string feed)
    {
        var named = Path.Combine(_root.Inputs, "Jane Smith 4857773456.csv");
        string[] args = command == "ingest" ? ["ingest", named, "--partner", "police", "--feed", feed, "--root", _root.Path] : ["validate", named, "--feed", feed];

        using var output = new StringWriter();
        var code = await DataHub.Host.Program.RunAsync(args, new CommandEnvironment(output, output, _root.Clock));

        code.Should().Be(ExitCodes.Usage);
        output.ToString().Should().NotContain("Jane").And.NotContain("4857773456");
    }
}
