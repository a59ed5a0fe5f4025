using DataHub.Parquet.Format;

namespace DataHub.Parquet.Reading;

/// <summary>How a file's column maps onto the module's types: its physical type, nullability and any value conversion.</summary>
internal sealed record ColumnLayout(ParquetColumn Column, PhysicalType Physical, ValueConversion Conversion)
{
    /// <summary>Maps a leaf schema element, or explains why this module cannot read it.</summary>
    public static ColumnLayout From(SchemaElement e, Func<string, ParquetFormatException> fail)
    {
        if (e.NumChildren is > 0)
        {
            throw fail($"column '{e.Name}' is nested; only flat schemas are supported");
        }

        var nullable = e.Repetition switch
        {
            null or 0 => false,
            1 => true,
            _ => throw fail($"column '{e.Name}' is repeated; only flat schemas are supported"),
        };
        if (e.Type is not { } physical)
        {
            throw fail($"column '{e.Name}' has no physical type");
        }

        if (e.ConvertedType is ConvertedType.Decimal)
        {
            throw fail($"column '{e.Name}' is DECIMAL, which is not supported");
        }

        var (type, conversion) = physical switch
        {
            PhysicalType.Boolean => (ParquetType.Boolean, ValueConversion.None),
            PhysicalType.Int32 when e.Logical == LogicalKind.Date || e.ConvertedType == ConvertedType.Date => (ParquetType.Date, ValueConversion.None),
            PhysicalType.Int32 when e.ConvertedType == ConvertedType.Uint32 || (e.Logical == LogicalKind.UnsignedInt && e.LogicalBitWidth == 32) =>
                (ParquetType.Int64, ValueConversion.UnsignedInt32),
            PhysicalType.Int32 when IsPlainInteger(e) => (ParquetType.Int32, ValueConversion.None),
            PhysicalType.Int64 when e.Logical == LogicalKind.TimestampMicros || e.ConvertedType == ConvertedType.TimestampMicros =>
                (ParquetType.TimestampMicros, ValueConversion.None),
            PhysicalType.Int64 when e.Logical == LogicalKind.TimestampMillis || e.ConvertedType == ConvertedType.TimestampMillis =>
                (ParquetType.TimestampMicros, ValueConversion.MillisToMicros),
            PhysicalType.Int64 when e.Logical == LogicalKind.TimestampNanos => (ParquetType.TimestampMicros, ValueConversion.NanosToMicros),
            PhysicalType.Int64 when e.ConvertedType == ConvertedType.Uint64 || e.Logical == LogicalKind.UnsignedInt =>
                throw fail($"column '{e.Name}' is an unsigned 64-bit integer, which is not supported"),
            PhysicalType.Int64 when IsPlainInteger(e) => (ParquetType.Int64, ValueConversion.None),
            PhysicalType.Float => (ParquetType.Double, ValueConversion.FloatToDouble),
            PhysicalType.Double => (ParquetType.Double, ValueConversion.None),
            PhysicalType.ByteArray when e.Logical is LogicalKind.String or LogicalKind.None
                || e.ConvertedType is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json => (ParquetType.String, ValueConversion.None),
            _ => throw fail($"column '{e.Name}' has a type this module does not read ({physical}, converted {e.ConvertedType?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})"),
        };
        return new ColumnLayout(new ParquetColumn(e.Name, type, nullable), physical, conversion);
    }

    private static bool IsPlainInteger(SchemaElement e) =>
        (e.Logical is LogicalKind.None or LogicalKind.SignedInt || (e.Logical == LogicalKind.UnsignedInt && e.LogicalBitWidth < 32))
        && e.ConvertedType is null or ConvertedType.Int8 or ConvertedType.Int16 or ConvertedType.Int32 or ConvertedType.Int64
            or ConvertedType.Uint8 or ConvertedType.Uint16;
}

/// <summary>A conversion applied after decoding so the column reads as one of the module's types.</summary>
internal enum ValueConversion
{
    None,
    FloatToDouble,
    MillisToMicros,
    NanosToMicros,
    UnsignedInt32,
}
