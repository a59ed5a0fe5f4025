using System.Diagnostics;
using ParquetSharp;

namespace DataHub.Benchmarks;

/// <summary>The Parquet benchmark's CSV written with ParquetSharp (Apache Arrow's C++ writer), only to compare its speed with Parquet.Net's.</summary>
/// <remarks>Same schema, logical types and nulls as the Parquet.Net side, SNAPPY, the adapter's row-group size, and the same
/// encodings: dictionary for the repeating strings, PLAIN for the nearly distinct pseudonym tokens (as the adapter chooses;
/// Arrow would otherwise build a dictionary for each token chunk and fall back to PLAIN once it passes 1 MB).</remarks>
internal static class ParquetSharpMartWriter
{
    private const int RowGroupRows = 122_880;
    private static readonly int Epoch = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>The child process: writes <paramref name="csv"/> to <paramref name="output"/> and prints its figures.</summary>
    public static int Run(string csv, string output)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        Column[] columns =
        [
            new Column<string>("feed"), new Column<string>("quarter"), new Column<string>("sex"),
            new Column<string>("nhs_token"), new Column<string>("upn_token"),
            new Column<Date?>("event_date"), new Column<Date?>("start_date"),
            new Column<int?>("birth_year"), new Column<int?>("sessions"), new Column<bool?>("flag"),
        ];
        using (var properties = new WriterPropertiesBuilder().Compression(Compression.Snappy)
            .DisableDictionary("nhs_token").DisableDictionary("upn_token").Build())
        using (var file = new ParquetFileWriter(output, columns, properties))
        {
            var strings = Enumerable.Range(0, 5).Select(_ => new Utf8Column()).ToArray();
            var dates = Enumerable.Range(0, 2).Select(_ => new Date?[RowGroupRows]).ToArray();
            var ints = Enumerable.Range(0, 2).Select(_ => new int?[RowGroupRows]).ToArray();
            var flags = new bool?[RowGroupRows];
            var rows = 0;
            foreach (var line in MartCsv.Lines(csv))
            {
                var rest = line.Span;
                for (var c = 0; c < 5; c++)
                {
                    var field = MartCsv.NextField(ref rest);
                    strings[c].Add(rows, field);
                }

                for (var c = 0; c < 2; c++)
                {
                    var field = MartCsv.NextField(ref rest);
                    dates[c][rows] = field.IsEmpty ? null : new Date(MartCsv.Date(field).DayNumber - Epoch);
                }

                for (var c = 0; c < 2; c++)
                {
                    var field = MartCsv.NextField(ref rest);
                    ints[c][rows] = field.IsEmpty ? null : MartCsv.Int(field);
                }

                var flag = MartCsv.NextField(ref rest);
                flags[rows] = flag.IsEmpty ? null : flag[0] == (byte)'t';
                if (++rows == RowGroupRows)
                {
                    WriteRowGroup(file, strings, dates, ints, flags, rows);
                    rows = 0;
                }
            }

            if (rows > 0)
            {
                WriteRowGroup(file, strings, dates, ints, flags, rows);
            }

            file.Close();
        }

        watch.Stop();
        MartCsv.Report(watch, cpu, output);
        return 0;
    }

    private static void WriteRowGroup(ParquetFileWriter file, Utf8Column[] strings, Date?[][] dates, int?[][] ints, bool?[] flags, int rows)
    {
        using var group = file.AppendRowGroup();
        foreach (var column in strings)
        {
            column.Write(group, rows);
        }

        foreach (var column in dates)
        {
            Write(group, column, rows);
        }

        foreach (var column in ints)
        {
            Write(group, column, rows);
        }

        Write(group, flags, rows);
    }

    private static void Write<T>(RowGroupWriter group, T[] values, int rows)
    {
        using var writer = group.NextColumn().LogicalWriter<T>();
        writer.WriteBatch(values, 0, rows);
    }

    /// <summary>A string column's row group as raw UTF-8 in one pinned block, handed to the native writer without making .NET strings.</summary>
    private sealed class Utf8Column
    {
        private const int MaxFieldBytes = 80;
        private readonly byte[] _bytes = GC.AllocateUninitializedArray<byte>(RowGroupRows * MaxFieldBytes, pinned: true);
        private readonly short[] _levels = new short[RowGroupRows];
        private readonly ByteArray[] _values = new ByteArray[RowGroupRows];
        private int _used;
        private int _present;

        public void Add(int row, ReadOnlySpan<byte> field)
        {
            _levels[row] = field.IsEmpty ? (short)0 : (short)1;
            if (field.IsEmpty)
            {
                return;
            }

            ArgumentOutOfRangeException.ThrowIfGreaterThan(field.Length, MaxFieldBytes);
            field.CopyTo(_bytes.AsSpan(_used));
            _values[_present++] = new ByteArray(System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(_bytes, _used), field.Length);
            _used += field.Length;
        }

        public void Write(RowGroupWriter group, int rows)
        {
            using var writer = (ColumnWriter<ByteArray>)group.NextColumn();
            writer.WriteBatch(rows, _levels.AsSpan(0, rows), default, _values.AsSpan(0, _present));
            _used = 0;
            _present = 0;
        }
    }
}
