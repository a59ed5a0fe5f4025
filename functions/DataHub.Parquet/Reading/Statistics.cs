using System.Buffers.Binary;
using DataHub.Parquet.Format;

namespace DataHub.Parquet.Reading;

/// <summary>Decodes a column chunk's stored statistics into CLR values of the column's type.</summary>
internal static class Statistics
{
    public static ColumnStatistics? Decode(StatisticsData? stats, ColumnLayout layout, string fileName)
    {
        if (stats is null)
        {
            return null;
        }

        // The deprecated min/max used signed byte order for strings; trust them only for numbers, where the order agrees.
        var numeric = layout.Physical != PhysicalType.ByteArray;
        var min = stats.MinValue ?? (numeric ? stats.Min : null);
        var max = stats.MaxValue ?? (numeric ? stats.Max : null);
        return new ColumnStatistics(Value(min, layout, fileName), Value(max, layout, fileName), stats.NullCount);
    }

    private static object? Value(byte[]? bytes, ColumnLayout layout, string fileName)
    {
        if (bytes is null)
        {
            return null;
        }

        var expected = layout.Physical switch
        {
            PhysicalType.Boolean => 1,
            PhysicalType.Int32 or PhysicalType.Float => 4,
            PhysicalType.Int64 or PhysicalType.Double => 8,
            _ => -1,
        };
        if (expected >= 0 && bytes.Length != expected)
        {
            throw new ParquetFormatException(fileName, $"statistics of column '{layout.Column.Name}' have {bytes.Length} bytes, expected {expected}");
        }

        return (layout.Physical, layout.Column.Type, layout.Conversion) switch
        {
            (PhysicalType.Boolean, _, _) => bytes[0] != 0,
            (PhysicalType.Int32, ParquetType.Date, _) => Timestamps.TryFromDays(BinaryPrimitives.ReadInt32LittleEndian(bytes), out var d) ? d : null,
            (PhysicalType.Int32, _, ValueConversion.UnsignedInt32) => (long)BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            (PhysicalType.Int32, _, _) => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            (PhysicalType.Int64, ParquetType.TimestampMicros, var conversion) => Timestamps.TryFromMicros(ToMicros(BinaryPrimitives.ReadInt64LittleEndian(bytes), conversion), out var t) ? t : null,
            (PhysicalType.Int64, _, _) => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            (PhysicalType.Float, _, _) => (double)BinaryPrimitives.ReadSingleLittleEndian(bytes),
            (PhysicalType.Double, _, _) => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
            _ => System.Text.Encoding.UTF8.GetString(bytes),
        };
    }

    private static long ToMicros(long value, ValueConversion conversion) => conversion switch
    {
        ValueConversion.MillisToMicros => value is > long.MaxValue / 1000 or < long.MinValue / 1000 ? long.MaxValue : value * 1000,
        ValueConversion.NanosToMicros => value / 1000,
        _ => value,
    };
}
