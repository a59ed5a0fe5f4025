using DataHub.Parquet;
using DataHub.Testing;

namespace DataHub.Parquet.Tests;

public sealed class WriterSmokeTests
{
    [Fact]
    public async Task DuckDb_reads_every_type_written_with_nulls()
    {
        using var folder = new TempFolder("pq");
        var path = folder.File("a.parquet");
        var schema = new ParquetSchema([
            new("b", ParquetType.Boolean), new("i", ParquetType.Int32), new("l", ParquetType.Int64, false),
            new("d", ParquetType.Double), new("s", ParquetType.String), new("dt", ParquetType.Date), new("ts", ParquetType.TimestampMicros),
        ]);
        using (var stream = File.Create(path))
        using (var writer = new ParquetWriter(stream, schema, new ParquetWriterOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } }))
        {
            for (var r = 0; r < 1000; r++)
            {
                if (r % 3 != 0)
                {
                    writer.Set(0, r % 2 == 0);
                    writer.Set(1, r - 500);
                    writer.Set(3, r / 7.0);
                    writer.Set(4, "v" + (r % 13));
                    writer.Set(5, new DateOnly(1960, 1, 1).AddDays(r));
                    writer.Set(6, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(r));
                }

                writer.Set(2, (long)r * 1_000_000_007L);
                writer.EndRow();
            }

            writer.Finish();
        }

        var result = await DuckDb.QueryAsync($"select count(*), count(b), sum(i), sum(l), sum(d), count(distinct s), min(dt)::varchar, max(ts)::varchar from read_parquet({DuckDb.Literal(path)})");
        string.Join("|", result.Rows[0].Select(v => v.ToString())).Should().Be("1000|666|-333|499500003496500|47523.857142857145|13|1960-01-02|2020-01-01 00:16:38+00");
    }
}
