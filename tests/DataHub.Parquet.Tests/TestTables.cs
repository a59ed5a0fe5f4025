using System.Globalization;
using System.Text;

namespace DataHub.Parquet.Tests;

/// <summary>Random flat tables (schema + rows of CLR values) from a seeded generator, and writing and reading them through the adapter.</summary>
internal static class TestTables
{
    private static readonly string[] Words = ["", "a", "Leeds", "ÅngstrÖm", "naïve café", "日本語テキスト", "😀", "𝄞 music", "mixed 😀 and 𝄞 and ü", "tab\tand\nnewline", "quote'\"", "zzzz", "\u007f", "Z"];

    public static ParquetSchema RandomSchema(Random random, int columns)
    {
        var types = WritableTypes;
        return new ParquetSchema(Enumerable.Range(0, columns)
            .Select(i => new ParquetColumn($"c{i}", types[random.Next(types.Length)], random.Next(3) != 0))
            .ToArray());
    }

    /// <summary>Rows for the schema: each nullable column gets a null share of 0, 10%, 50% or 100%; values mix extremes and repeats.</summary>
    public static object?[][] RandomRows(Random random, ParquetSchema schema, int rows)
    {
        var nullShare = schema.Columns.Select(c => c.Nullable ? new[] { 0.0, 0.1, 0.5, 1.0 }[random.Next(4)] : 0.0).ToArray();
        var lowCardinality = schema.Columns.Select(_ => random.Next(2) == 0).ToArray();
        var result = new object?[rows][];
        for (var r = 0; r < rows; r++)
        {
            var row = new object?[schema.Columns.Count];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = random.NextDouble() < nullShare[c] ? null : RandomValue(random, schema.Columns[c].Type, lowCardinality[c]);
            }

            result[r] = row;
        }

        return result;
    }

    public static object RandomValue(Random random, ParquetType type, bool lowCardinality)
    {
        var pick = lowCardinality ? random.Next(8) : random.Next(1000);
        return type switch
        {
            ParquetType.Boolean => random.Next(2) == 0,
            ParquetType.Int32 => pick switch
            {
                0 => int.MinValue,
                1 => int.MaxValue,
                2 => 0,
                3 => -1,
                < 8 => pick * 1000,
                _ => random.Next(int.MinValue, int.MaxValue),
            },
            ParquetType.Int64 => pick switch
            {
                0 => long.MinValue,
                1 => long.MaxValue,
                2 => 0L,
                3 => -1L,
                < 8 => pick * 10_000_000_000L,
                _ => random.NextInt64(long.MinValue, long.MaxValue),
            },
            ParquetType.Double => pick switch
            {
                0 => double.NaN,
                1 => 0.0,
                2 => -0.0,
                3 => double.PositiveInfinity,
                4 => double.NegativeInfinity,
                5 => double.MaxValue,
                6 => double.Epsilon,
                7 => -1.5,
                _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)),
            },
            ParquetType.String => lowCardinality ? Words[pick] : RandomString(random),
            ParquetType.Date => pick switch
            {
                0 => DateOnly.MinValue,
                1 => DateOnly.MaxValue,
                2 => new DateOnly(1969, 12, 31),
                3 => new DateOnly(1970, 1, 1),
                < 8 => new DateOnly(1900 + (pick * 20), 2, 28),
                _ => DateOnly.FromDayNumber(random.Next(new DateOnly(1600, 1, 1).DayNumber, new DateOnly(2200, 1, 1).DayNumber)),
            },
            _ => pick switch
            {
                0 => new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero),
                1 => new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990),
                2 => DateTimeOffset.UnixEpoch.AddTicks(-10),
                3 => DateTimeOffset.UnixEpoch,
                < 8 => new DateTimeOffset(2017 + pick, 10, 1, 12, 30, 0, TimeSpan.Zero),
                _ => new DateTimeOffset(random.NextInt64(new DateTime(1800, 1, 1).Ticks, new DateTime(2200, 1, 1).Ticks) / 10 * 10, TimeSpan.Zero),
            },
        };
    }

    /// <summary>The types the writer accepts (TIMESTAMP is read only).</summary>
    public static ParquetType[] WritableTypes { get; } = [.. Enum.GetValues<ParquetType>().Where(t => t != ParquetType.TimestampMicros)];

    public static async Task WriteAsync(Stream output, ParquetSchema schema, IEnumerable<object?[]> rows, ParquetWriterOptions? options = null)
    {
        await using var writer = await ParquetWriter.CreateAsync(output, schema, options);
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                writer.SetValue(c, row[c]);
            }

            await writer.EndRowAsync();
        }

        await writer.FinishAsync();
    }

    public static async Task<byte[]> WriteToBytesAsync(ParquetSchema schema, IEnumerable<object?[]> rows, ParquetWriterOptions? options = null)
    {
        using var memory = new MemoryStream();
        await WriteAsync(memory, schema, rows, options);
        return memory.ToArray();
    }

    public static async Task WriteFileAsync(string path, ParquetSchema schema, IEnumerable<object?[]> rows, ParquetWriterOptions? options = null)
    {
        await using var stream = File.Create(path);
        await WriteAsync(stream, schema, rows, options);
    }

    public static async Task<List<object?[]>> ReadAllAsync(byte[] file, string name = "test.parquet")
    {
        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file, writable: false), name);
        return await reader.ReadRowsAsync().ToListAsync();
    }

    /// <summary>Exact equality: doubles by bit pattern (so NaN and -0.0 count), everything else by value.</summary>
    public static bool SameValue(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks == y.UtcTicks && x.Offset == y.Offset,
        _ => Equals(a, b),
    };

    public static void ShouldEqualRows(IReadOnlyList<object?[]> actual, IReadOnlyList<object?[]> expected, string context)
    {
        actual.Count.Should().Be(expected.Count, context);
        for (var r = 0; r < expected.Count; r++)
        {
            for (var c = 0; c < expected[r].Length; c++)
            {
                if (!SameValue(actual[r][c], expected[r][c]))
                {
                    throw new Xunit.Sdk.XunitException($"{context}: row {r} column {c}: expected {Show(expected[r][c])}, got {Show(actual[r][c])}");
                }
            }
        }
    }

    /// <summary>The text DuckDB's canonical SQL (see <see cref="DuckDbCanonicalExpression"/>) produces for a value.</summary>
    public static string? Canonical(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => CanonicalDouble(d),
        string s => s,
        DateOnly d => (d.DayNumber - new DateOnly(1970, 1, 1).DayNumber).ToString(CultureInfo.InvariantCulture),
        DateTimeOffset t => ((t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException(value.GetType().Name),
    };

    /// <summary>Normalises a DuckDB-rendered value of the column's type to <see cref="Canonical"/>'s form (doubles re-parsed exactly).</summary>
    public static string? NormaliseDuckText(string? text, ParquetType type)
    {
        if (text is null || type != ParquetType.Double)
        {
            return text;
        }

        return text switch
        {
            "nan" or "-nan" => "NaN",
            "inf" => "Infinity",
            "-inf" => "-Infinity",
            _ => CanonicalDouble(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>A DuckDB SQL expression rendering the column as the canonical text.</summary>
    public static string DuckDbCanonicalExpression(ParquetColumn column)
    {
        var name = "\"" + column.Name + "\"";
        return column.Type switch
        {
            ParquetType.Date => $"({name} - DATE '1970-01-01')::VARCHAR",
            ParquetType.TimestampMicros => $"epoch_us({name})::VARCHAR",
            ParquetType.String => name,
            _ => $"{name}::VARCHAR",
        };
    }

    private static string CanonicalDouble(double d) =>
        double.IsNaN(d) ? "NaN" : BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(-0.0) ? "-0" : d.ToString("R", CultureInfo.InvariantCulture);

    private static string RandomString(Random random)
    {
        var builder = new StringBuilder();
        var length = random.Next(0, 24);
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(5))
            {
                case 0:
                    builder.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1F64F)));
                    break;
                case 1:
                    builder.Append((char)random.Next(0x4E00, 0x9FFF));
                    break;
                case 2:
                    builder.Append((char)random.Next(0xA0, 0x24F));
                    break;
                default:
                    builder.Append((char)random.Next(0x20, 0x7F));
                    break;
            }
        }

        return builder.ToString();
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => $"{value} ({value.GetType().Name})",
    };
}
