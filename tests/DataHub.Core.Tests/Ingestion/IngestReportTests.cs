using System.Text;
using System.Text.Json;
using DataHub.Core.Feeds;
using DataHub.Core.Ingestion;

namespace DataHub.Core.Tests.Ingestion;

public sealed class IngestReportTests
{
    // Enough rows for the report to go to the store in many pieces, not one.
    private const int Rows = 20_000;

    private static readonly IngestReport Report = new()
    {
        Outcome = "accepted_with_row_errors",
        Source = "landing/police/police-da-incidents/file-0a1b2c3d.csv",
        DecidedAt = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero),
        Rule = "rows.rejected",
        Message = "Some rows were rejected.",
        RowsRead = Rows * 2,
        RowsAccepted = Rows,
        RowsRejected = Rows,
        RowErrorsByRule = new Dictionary<string, long> { ["date.impossible"] = Rows },
        RowErrors = [.. Enumerable.Range(1, Rows).Select(i => new RowError(i + 1, "date_of_birth", "date.impossible", i % 2 == 0 ? "=cmd, said \"x\"" : "date_of_birth is not a real calendar date."))],
    };

    [Fact]
    public async Task A_report_of_many_row_errors_is_written_whole_as_json_every_error_in_line_order()
    {
        using var output = new MemoryStream();
        await Report.WriteJsonAsync(output, CancellationToken.None);

        using var json = JsonDocument.Parse(output.ToArray());
        var errors = json.RootElement.GetProperty("row_errors").EnumerateArray().ToList();
        errors.Should().HaveCount(Rows);
        errors.Select(e => e.GetProperty("line").GetInt64()).Should().BeInAscendingOrder().And.StartWith(2L).And.EndWith(Rows + 1L);
        json.RootElement.GetProperty("rows").GetProperty("rejected").GetInt64().Should().Be(Rows);
        json.RootElement.GetProperty("row_errors_by_rule").GetProperty("date.impossible").GetInt64().Should().Be(Rows);
    }

    [Fact]
    public async Task A_report_of_many_row_errors_is_written_whole_as_csv_quoted_and_with_formulas_neutralised()
    {
        using var output = new MemoryStream();
        await Report.WriteCsvAsync(output, CancellationToken.None);

        var bytes = output.ToArray();
        bytes.Take(3).Should().NotEqual(Encoding.UTF8.GetPreamble(), "the CSV has no byte-order mark");
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        lines[0].Should().Be("line,column,rule,message");
        lines[^1].Should().BeEmpty("every line ends with a newline");
        lines.Should().HaveCount(Rows + 2);
        lines[1].Should().Be("2,date_of_birth,date.impossible,date_of_birth is not a real calendar date.");
        lines[2].Should().Be("3,date_of_birth,date.impossible,\"'=cmd, said \"\"x\"\"\"");
        lines[^2].Should().StartWith($"{Rows + 1},");
    }

    [Theory]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    [InlineData("=1+1")]
    public async Task A_message_a_spreadsheet_would_run_as_a_formula_is_written_behind_a_quote_mark_even_after_a_tab_or_carriage_return(string message)
    {
        // OWASP's CSV-injection guidance: spreadsheets also act on a cell starting with a tab or carriage return.
        var report = new IngestReport { Outcome = "quarantined", Source = "landing/police/police-da-incidents/file.csv", DecidedAt = Report.DecidedAt, Rule = "file.format", Message = message };
        using var output = new MemoryStream();
        await report.WriteCsvAsync(output, CancellationToken.None);
        var line = Encoding.UTF8.GetString(output.ToArray()).Split('\n')[1];
        line.Should().Be(",,file.format,\"'" + message + "\"", "the field is written behind a quote mark and quoted");
    }
}
