using System.Globalization;
using System.Text;
using System.Text.Json;
using DataHub.Testing;

namespace DataHub.Parquet.Tests;

public sealed class DuckDbInteropTests
{
    [Fact]
    public async Task DuckDb_reads_every_type_codec_encoding_and_nullability_we_write_exactly()
    {
        using var folder = new TempFolder("pq-interop");
        var random = new Random(20171001);
        var cases = new List<(string Path, ParquetSchema Schema, object?[][] Rows, string Label)>();
        foreach (var type in TestTables.WritableTypes)
        {
            foreach (var compression in Enum.GetValues<ParquetCompression>())
            {
                foreach (var dictionary in new[] { true, false })
                {
                    foreach (var nullable in new[] { true, false })
                    {
                        // Two columns of the type: one low-cardinality (dictionary stays), one high (may fall back).
                        var schema = new ParquetSchema([new("low", type, nullable), new("high", type, nullable), new("id", ParquetType.Int32, false)]);
                        var rows = Enumerable.Range(0, 400).Select(i => new object?[]
                        {
                            nullable && i % 5 == 0 ? null : TestTables.RandomValue(random, type, lowCardinality: true),
                            nullable && i % 3 == 0 ? null : TestTables.RandomValue(random, type, lowCardinality: false),
                            i,
                        }).ToArray();
                        var label = $"{type}-{compression}-{(dictionary ? "dict" : "plain")}-{(nullable ? "optional" : "required")}";
                        var path = folder.File(label + ".parquet");
                        await TestTables.WriteFileAsync(path, schema, rows, new ParquetWriterOptions { Compression = compression, UseDictionary = dictionary, RowGroupRows = 150 });

                        cases.Add((path, schema, rows, label));
                    }
                }
            }
        }

        var sql = new StringBuilder("SET TimeZone='UTC';\n");
        for (var i = 0; i < cases.Count; i++)
        {
            var (path, schema, _, _) = cases[i];
            var exprs = string.Join(", ", schema.Columns.Select(TestTables.DuckDbCanonicalExpression));
            sql.Append(i == 0 ? "" : "UNION ALL ")
                .Append(CultureInfo.InvariantCulture, $"SELECT {i} AS f, to_json(list([{exprs}] ORDER BY file_row_number)) AS v FROM read_parquet({DuckDb.Literal(path)}, file_row_number=true)\n");
        }

        var result = await DuckDb.QueryAsync(sql.ToString());

        result.Rows.Should().HaveCount(cases.Count);
        foreach (var row in result.Rows)
        {
            var (_, schema, rows, label) = cases[(int)Int(row[0])];
            using var json = JsonDocument.Parse(row[1].GetString()!);
            var duckRows = json.RootElement.EnumerateArray().ToArray();
            duckRows.Should().HaveCount(rows.Length, label);
            for (var r = 0; r < rows.Length; r++)
            {
                var values = duckRows[r].EnumerateArray().ToArray();
                for (var c = 0; c < schema.Columns.Count; c++)
                {
                    var duck = TestTables.NormaliseDuckText(values[c].ValueKind == JsonValueKind.Null ? null : values[c].GetString(), schema.Columns[c].Type);
                    ExpectSame(TestTables.Canonical(rows[r][c]), duck, label, r, schema.Columns[c].Name);
                }
            }
        }
    }

    [Fact]
    public async Task Every_file_we_write_keeps_to_the_types_encodings_and_codecs_Power_BI_reads()
    {
        using var folder = new TempFolder("pq-powerbi");
        var random = new Random(11);
        var schema = new ParquetSchema([.. TestTables.WritableTypes.SelectMany(t => new[] { new ParquetColumn($"{t}_low", t), new ParquetColumn($"{t}_high", t, false) })]);
        foreach (var compression in Enum.GetValues<ParquetCompression>())
        {
            var rows = Enumerable.Range(0, 3000).Select(i => schema.Columns.Select(c => c.Nullable && i % 4 == 0 ? null : TestTables.RandomValue(random, c.Type, c.Name.EndsWith("_low", StringComparison.Ordinal))).ToArray());
            // String_high written as a hash column, as mart tokens are: uncompressed chunks in a compressed file.
            await TestTables.WriteFileAsync(folder.File($"pbi-{compression}.parquet"), schema, rows, new ParquetWriterOptions { Compression = compression, RowGroupRows = 1000, HashColumns = new HashSet<string> { "String_high" } });
        }

        var glob = DuckDb.Literal(folder.File("pbi-*.parquet"));
        var chunks = await DuckDb.QueryAsync($"SELECT DISTINCT unnest(string_split(encodings, ', ')) AS e, compression FROM parquet_metadata({glob})");
        var types = await DuckDb.QueryAsync($"SELECT DISTINCT type, coalesce(converted_type, '') AS converted, coalesce(num_children, 0) AS children FROM parquet_schema({glob}) WHERE name <> 'schema' AND name NOT LIKE 'duckdb%'");
        var pages = await DuckDb.QueryAsync($"SELECT count(*) FROM parquet_metadata({glob}) WHERE data_page_offset IS NULL");

        // The list, and where it comes from, is in functions/DataHub.Parquet/README.md.
        chunks.Rows.Select(r => r[0].GetString()).Distinct().Should().BeSubsetOf(["PLAIN", "PLAIN_DICTIONARY", "RLE"]);
        chunks.Rows.Select(r => r[1].GetString()).Distinct().Should().BeSubsetOf(["SNAPPY", "GZIP", "UNCOMPRESSED"]);
        types.Rows.Where(r => r[0].GetString() is not null).Select(r => $"{r[0].GetString()}/{r[1].GetString()}").Distinct()
            .Should().BeSubsetOf(["BOOLEAN/", "INT32/INT_32", "INT64/INT_64", "DOUBLE/", "BYTE_ARRAY/UTF8", "INT32/DATE"]);
        Int(pages.Rows[0][0]).Should().Be(0);
    }

    [Fact]
    public async Task We_read_what_DuckDb_writes_at_its_defaults_and_with_each_codec_we_claim()
    {
        using var folder = new TempFolder("pq-duckwrites");
        var columns = new (string Name, string Sql, ParquetType Type, string Canonical)[]
        {
            ("b", "CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END", ParquetType.Boolean, "b::VARCHAR"),
            ("i32", "CASE WHEN i % 11 = 0 THEN NULL WHEN i = 1 THEN 2147483647 WHEN i = 2 THEN -2147483648 ELSE ((i * 7919) % 200003) - 100000 END::INTEGER", ParquetType.Int32, "i32::VARCHAR"),
            ("i64", "CASE WHEN i = 1 THEN 9223372036854775807 WHEN i = 2 THEN -9223372036854775808 ELSE i * 1000000007 - 3 END::BIGINT", ParquetType.Int64, "i64::VARCHAR"),
            ("d", "CASE i % 13 WHEN 0 THEN NULL WHEN 1 THEN 'nan'::DOUBLE WHEN 2 THEN -0.0::DOUBLE WHEN 3 THEN 'inf'::DOUBLE ELSE i / 7.0 END::DOUBLE", ParquetType.Double, "d::VARCHAR"),
            ("s", "CASE WHEN i % 17 = 0 THEN NULL WHEN i % 17 = 1 THEN '' WHEN i % 17 = 2 THEN 'emoji 😀 𝄞' ELSE 'cat_' || (i % 5) END", ParquetType.String, "s"),
            ("token", "'k1:' || sha256(i::VARCHAR)", ParquetType.String, "token"),
            ("dt", "CASE WHEN i % 19 = 0 THEN NULL ELSE DATE '1900-01-01' + ((i * 37) % 80000)::INTEGER END", ParquetType.Date, "(dt - DATE '1970-01-01')::VARCHAR"),
            ("ts", "TIMESTAMPTZ '1960-01-01 00:00:00+00' + to_microseconds(i * 123456789)", ParquetType.TimestampMicros, "epoch_us(ts)::VARCHAR"),
            ("tsn", "TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i * 1000)", ParquetType.TimestampMicros, "epoch_us(tsn)::VARCHAR"),
        };
        var codecs = new[] { "", "SNAPPY", "ZSTD", "GZIP", "UNCOMPRESSED" };
        var sql = new StringBuilder("SET TimeZone='UTC';\n");
        sql.Append("CREATE TABLE src AS SELECT i, ").AppendJoin(", ", columns.Select(c => $"{c.Sql} AS {c.Name}")).Append(" FROM range(6000) t(i);\n");
        var files = new List<string>();
        foreach (var codec in codecs)
        {
            var path = folder.File($"duck-{(codec.Length == 0 ? "default" : codec)}.parquet");
            files.Add(path);
            sql.Append(CultureInfo.InvariantCulture, $"COPY (SELECT * EXCLUDE (i) FROM src ORDER BY i) TO {DuckDb.Literal(path)} (FORMAT PARQUET{(codec.Length == 0 ? "" : ", COMPRESSION " + codec)});\n");
        }

        var versionTwo = new List<string>();
        var small = folder.File("duck-small-row-groups.parquet");
        files.Add(small);
        sql.Append(CultureInfo.InvariantCulture, $"COPY (SELECT * EXCLUDE (i) FROM src ORDER BY i) TO {DuckDb.Literal(small)} (FORMAT PARQUET, ROW_GROUP_SIZE 1000);\n");
        foreach (var codec in new[] { "SNAPPY", "ZSTD", "UNCOMPRESSED" })
        {
            // Format version 2: data page v2 headers and the DELTA_*/BYTE_STREAM_SPLIT encodings.
            var v2 = folder.File($"duck-v2-{codec}.parquet");
            versionTwo.Add(v2);
            sql.Append(CultureInfo.InvariantCulture, $"COPY (SELECT * EXCLUDE (i) FROM src ORDER BY i) TO {DuckDb.Literal(v2)} (FORMAT PARQUET, PARQUET_VERSION V2, COMPRESSION {codec}, ROW_GROUP_SIZE 2500);\n");
        }

        sql.Append("SELECT [").AppendJoin(", ", columns.Select(c => c.Canonical)).Append("] FROM src ORDER BY i;");

        var expected = await DuckDb.QueryAsync(sql.ToString());

        foreach (var path in files)
        {
            await ExpectDuckDbRowsAsync(path, columns.Select(c => (c.Name, c.Type)).ToArray(), expected);
        }

        // Format version 2 files: Parquet.Net 6.1.0 cannot decode every encoding DuckDB uses there (DELTA_BINARY_PACKED
        // dates); such a file must read exactly or fail with an error naming it, never read wrong.
        foreach (var path in versionTwo)
        {
            try
            {
                await ExpectDuckDbRowsAsync(path, columns.Select(c => (c.Name, c.Type)).ToArray(), expected);
            }
            catch (ParquetFormatException ex)
            {
                ex.FileName.Should().Be(Path.GetFileName(path));
            }
        }
    }

    private static async Task ExpectDuckDbRowsAsync(string path, (string Name, ParquetType Type)[] columns, DataHub.Testing.DuckDbResult expected)
    {
        await using var reader = await ParquetReader.OpenAsync(File.OpenRead(path), Path.GetFileName(path));
        reader.Schema.Columns.Select(c => c.Type).Should().Equal(columns.Select(c => c.Type), path);
        reader.CreatedBy.Should().StartWith("DuckDB");
        var rows = await reader.ReadRowsAsync().ToListAsync();
        rows.Should().HaveCount(6000);
        for (var r = 0; r < rows.Count; r++)
        {
            var duck = expected.Rows[r][0].EnumerateArray().ToArray();
            for (var c = 0; c < columns.Length; c++)
            {
                var text = TestTables.NormaliseDuckText(duck[c].ValueKind == JsonValueKind.Null ? null : duck[c].GetString(), columns[c].Type);
                ExpectSame(text, TestTables.Canonical(rows[r][c]), Path.GetFileName(path), r, columns[c].Name);
            }
        }
    }

    [Fact]
    public async Task DuckDb_sees_statistics_that_bound_every_value_and_count_every_null()
    {
        using var folder = new TempFolder("pq-stats");
        var random = new Random(42);
        var schema = new ParquetSchema([
            new("b", ParquetType.Boolean), new("i", ParquetType.Int32), new("l", ParquetType.Int64), new("d", ParquetType.Double),
            new("s", ParquetType.String), new("dt", ParquetType.Date), new("allnull", ParquetType.Int32),
            new("zeros", ParquetType.Double), new("nan", ParquetType.Double),
        ]);
        var files = new List<(string Path, object?[][] Rows)>();
        for (var f = 0; f < 4; f++)
        {
            var rows = Enumerable.Range(0, 500).Select(i => new object?[]
            {
                i % 4 == 0 ? null : random.Next(2) == 0,
                i % 5 == 0 ? null : TestTables.RandomValue(random, ParquetType.Int32, random.Next(2) == 0),
                i % 6 == 0 ? null : TestTables.RandomValue(random, ParquetType.Int64, random.Next(2) == 0),
                i % 7 == 0 ? null : FiniteOrNaN(TestTables.RandomValue(random, ParquetType.Double, random.Next(2) == 0)),
                i % 8 == 0 ? null : TestTables.RandomValue(random, ParquetType.String, random.Next(2) == 0),
                i % 9 == 0 ? null : DateOnly.FromDayNumber(random.Next(new DateOnly(1900, 1, 1).DayNumber, new DateOnly(2100, 1, 1).DayNumber)),
                null,
                i % 2 == 0 ? 0.0 : -0.0,
                double.NaN,
            }).ToArray();
            var path = folder.File($"stats-{f}.parquet");
            await TestTables.WriteFileAsync(path, schema, rows, new ParquetWriterOptions { RowGroupRows = 200, UseDictionary = f % 2 == 0 });

            files.Add((path, rows));
        }

        var result = await DuckDb.QueryAsync(
            "SET TimeZone='UTC'; SELECT file_name, row_group_id, column_id, stats_min_value, stats_max_value, stats_null_count " +
            $"FROM parquet_metadata({DuckDb.Literal(folder.File("stats-*.parquet"))}) ORDER BY file_name, row_group_id, column_id");

        result.Rows.Should().HaveCount(files.Count * 3 * schema.Columns.Count);
        foreach (var row in result.Rows)
        {
            var (_, rows) = files.Single(f => f.Path == row[0].GetString());
            var group = (int)Int(row[1]);
            var column = (int)Int(row[2]);
            var values = rows.Skip(group * 200).Take(200).Select(r => r[column]).ToArray();
            var label = $"{Path.GetFileName(row[0].GetString())} group {group} column {schema.Columns[column].Name}";
            Int(row[5]).Should().Be(values.Count(v => v is null), label);

            // What matters to a reader that skips row groups by statistics: the true minimum and maximum where there are values.
            var (min, max) = ExpectedMinMax(values.Where(v => v is not null).Select(v => v!).ToArray());
            if (min is not null)
            {
                SameStat(ParseDuckStat(Text(row[3]), schema.Columns[column].Type), min).Should().BeTrue($"{label} min {Text(row[3])} is {min}");
                SameStat(ParseDuckStat(Text(row[4]), schema.Columns[column].Type), max!).Should().BeTrue($"{label} max {Text(row[4])} is {max}");
            }
        }
    }

    /// <summary>DuckDB shows no double statistics once a chunk holds an infinity, so this test keeps to finite values and NaN.</summary>
    [Fact]
    public async Task Mostly_distinct_columns_are_written_plain_and_repeating_strings_with_a_dictionary()
    {
        using var folder = new TempFolder("pq-trial");
        var schema = new ParquetSchema([new("token", ParquetType.String, true), new("line", ParquetType.Int64, false), new("code", ParquetType.String, false), new("day", ParquetType.Date, false)]);
        var rows = Enumerable.Range(0, 5000).Select(i => new object?[]
        {
            i % 11 == 0 ? null : $"v1:{i * 7919:x8}{i:x56}",
            (long)i + 2,
            (i % 3) switch { 0 => "victim", 1 => "perpetrator", _ => "other" },
            new DateOnly(2018, 1, 1).AddDays(i % 90),
        }).ToArray();
        var path = folder.File("trial.parquet");
        await TestTables.WriteFileAsync(path, schema, rows, new ParquetWriterOptions { RowGroupRows = 2000 });

        await using (var reader = await ParquetReader.OpenAsync(File.OpenRead(path), "trial.parquet"))
        {
            TestTables.ShouldEqualRows(await reader.ReadRowsAsync().ToListAsync(), rows, "trial file");
        }

        var result = await DuckDb.QueryAsync(
            "SELECT row_group_id, path_in_schema, encodings, count(*) OVER () AS n " +
            $"FROM parquet_metadata({DuckDb.Literal(path)}) ORDER BY row_group_id, column_id");
        result.Rows.Should().HaveCount(3 * 4);
        foreach (var row in result.Rows)
        {
            var column = row[1].GetString()!;
            var encodings = row[2].GetString()!;
            if (column is "code")
            {
                encodings.Should().Contain("DICTIONARY", $"{column} in row group {Int(row[0])} repeats a handful of values");
            }
            else
            {
                encodings.Should().NotContain("DICTIONARY", $"{column} in row group {Int(row[0])} is distinct values or not a string");
            }
        }

        var all = await DuckDb.QueryAsync($"SELECT count(DISTINCT token), sum(line), count(*) FILTER (WHERE code = 'victim') FROM read_parquet({DuckDb.Literal(path)})");
        Int(all.Rows[0][0]).Should().Be(rows.Count(r => r[0] is not null));
        Int(all.Rows[0][1]).Should().Be(rows.Sum(r => (long)r[1]!));
        Int(all.Rows[0][2]).Should().Be(rows.Count(r => (string)r[2]! == "victim"));
    }

    [Fact]
    public async Task Hash_columns_are_written_plain_and_uncompressed_whatever_their_values_and_read_back_exactly()
    {
        using var folder = new TempFolder("pq-hash");
        var schema = new ParquetSchema([new("token", ParquetType.String), new("same", ParquetType.String), new("name", ParquetType.String)]);
        var names = new[] { "Zoë", "O'Brien", "Ólafsdóttir", "Smith" };

        // Twenty repeating tokens: left to itself the library would dictionary-encode them, as it does the same values in "same".
        var rows = Enumerable.Range(0, 3000).Select(i => new object?[]
        {
            i % 7 == 0 ? null : $"v1:{i % 20:x64}",
            $"v1:{i % 20:x64}",
            names[i % names.Length],
        }).ToArray();
        var path = folder.File("hash.parquet");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(stream, schema, new ParquetWriterOptions { RowGroupRows = 1000, HashColumns = new HashSet<string> { "token" } });
            foreach (var row in rows)
            {
                // Tokens and names go in as the bytes they arrive as: ASCII, and UTF-8 beyond it.
                if (row[0] is string token)
                {
                    writer.Set(0, Encoding.ASCII.GetBytes(token));
                }

                writer.Set(1, (string)row[1]!);
                writer.Set(2, Encoding.UTF8.GetBytes((string)row[2]!));
                await writer.EndRowAsync();
            }

            await writer.FinishAsync();
        }

        await using (var reader = await ParquetReader.OpenAsync(File.OpenRead(path), "hash.parquet"))
        {
            TestTables.ShouldEqualRows(await reader.ReadRowsAsync().ToListAsync(), rows, "hash file");
        }

        var chunks = await DuckDb.QueryAsync(
            "SELECT row_group_id, path_in_schema, encodings, compression " +
            $"FROM parquet_metadata({DuckDb.Literal(path)}) ORDER BY row_group_id, column_id");
        chunks.Rows.Should().HaveCount(3 * 3);
        foreach (var row in chunks.Rows)
        {
            var (column, encodings, compression) = (row[1].GetString()!, row[2].GetString()!, row[3].GetString()!);
            if (column is "token")
            {
                encodings.Should().NotContain("DICTIONARY", $"token in row group {Int(row[0])} is a hash column");
                compression.Should().Be("UNCOMPRESSED", $"token in row group {Int(row[0])} is a hash column");
            }
            else
            {
                compression.Should().Be("SNAPPY", $"{column} in row group {Int(row[0])} takes the file's codec");
            }

            if (column is "same")
            {
                encodings.Should().Contain("DICTIONARY", $"same in row group {Int(row[0])} repeats twenty values");
            }
        }

        var all = await DuckDb.QueryAsync($"SELECT count(token), count(DISTINCT token), count(*) FILTER (WHERE token = same), count(*) FILTER (WHERE name = 'Ólafsdóttir') FROM read_parquet({DuckDb.Literal(path)})");
        Int(all.Rows[0][0]).Should().Be(rows.Count(r => r[0] is not null));
        Int(all.Rows[0][1]).Should().Be(20);
        Int(all.Rows[0][2]).Should().Be(rows.Count(r => r[0] is not null));
        Int(all.Rows[0][3]).Should().Be(rows.Length / names.Length);
    }

    /// <summary>Equal statistics; doubles by value, so the sign of a zero does not matter.</summary>
    private static bool SameStat(string? duck, string expected) =>
        string.Equals(duck, expected, StringComparison.Ordinal)
        || (duck is not null && long.TryParse(duck, CultureInfo.InvariantCulture, out var a) && long.TryParse(expected, CultureInfo.InvariantCulture, out var b)
            && BitConverter.Int64BitsToDouble(a) == BitConverter.Int64BitsToDouble(b));

    private static object FiniteOrNaN(object value) => value is double d && double.IsInfinity(d) ? Math.Sign(d) * 12.5 : value;

    /// <summary>A plain comparison: hundreds of thousands of values make assertion-library overhead count.</summary>
    private static void ExpectSame(string? expected, string? actual, string file, int row, string column)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"{file} row {row} column {column}: expected {expected ?? "null"}, got {actual ?? "null"}");
        }
    }

    private static long Int(JsonElement e) => e.ValueKind == JsonValueKind.String ? long.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetInt64();

    private static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();

    /// <summary>Min and max by the Parquet spec's order, computed here without the writer's code: NaN ignored, zero min written -0, zero max +0, strings by UTF-8 bytes.</summary>
    private static (string? Min, string? Max) ExpectedMinMax(object[] values)
    {
        // Parquet.Net keeps no minimum or maximum for booleans.
        var comparable = values.Where(v => v is not double d || !double.IsNaN(d)).ToArray();
        if (comparable.Length == 0 || comparable[0] is bool)
        {
            return (null, null);
        }

        if (comparable[0] is string)
        {
            var bytes = comparable.Select(v => Encoding.UTF8.GetBytes((string)v)).ToArray();
            var min = bytes.Aggregate((a, b) => a.AsSpan().SequenceCompareTo(b) <= 0 ? a : b);
            var max = bytes.Aggregate((a, b) => a.AsSpan().SequenceCompareTo(b) >= 0 ? a : b);
            return (Encoding.UTF8.GetString(min), Encoding.UTF8.GetString(max));
        }

        var ordered = comparable.Order(Comparer<object>.Create((a, b) => ((IComparable)a).CompareTo(b))).ToArray();
        object low = ordered[0];
        object high = ordered[^1];
        if (low is double lowDouble && lowDouble == 0)
        {
            low = -0.0;
        }

        if (high is double highDouble && highDouble == 0)
        {
            high = 0.0;
        }

        return (Key(low), Key(high));
    }

    private static string Key(object value) => value switch
    {
        double d => BitConverter.DoubleToInt64Bits(d).ToString(CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcTicks.ToString(CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>Reads DuckDB's rendering of a statistic into the same key form as <see cref="Key"/>.</summary>
    private static string? ParseDuckStat(string? text, ParquetType type)
    {
        if (text is null)
        {
            return null;
        }

        return type switch
        {
            ParquetType.Double => BitConverter.DoubleToInt64Bits(text switch
            {
                "inf" => double.PositiveInfinity,
                "-inf" => double.NegativeInfinity,
                _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            }).ToString(CultureInfo.InvariantCulture),
            ParquetType.TimestampMicros => DateTimeOffset.Parse(text.EndsWith("+00", StringComparison.Ordinal) ? text + ":00" : text, CultureInfo.InvariantCulture).UtcTicks.ToString(CultureInfo.InvariantCulture),
            _ => text,
        };
    }
}
