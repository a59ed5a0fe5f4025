using DataHub.Parquet.Thrift;

namespace DataHub.Parquet.Format;

/// <summary>Parquet's physical types (parquet.thrift Type).</summary>
internal enum PhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

/// <summary>Parquet's value encodings (parquet.thrift Encoding).</summary>
internal enum Encoding
{
    Plain = 0,
    PlainDictionary = 2,
    Rle = 3,
    BitPacked = 4,
    DeltaBinaryPacked = 5,
    DeltaLengthByteArray = 6,
    DeltaByteArray = 7,
    RleDictionary = 8,
    ByteStreamSplit = 9,
}

/// <summary>Parquet's codecs (parquet.thrift CompressionCodec).</summary>
internal enum Codec
{
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Lzo = 3,
    Brotli = 4,
    Lz4 = 5,
    Zstd = 6,
    Lz4Raw = 7,
}

/// <summary>Parquet's page kinds (parquet.thrift PageType).</summary>
internal enum PageType
{
    DataPage = 0,
    IndexPage = 1,
    DictionaryPage = 2,
    DataPageV2 = 3,
}

/// <summary>Legacy converted types this module recognises (parquet.thrift ConvertedType).</summary>
internal static class ConvertedType
{
    public const int Utf8 = 0;
    public const int Enum = 4;
    public const int Decimal = 5;
    public const int Date = 6;
    public const int TimeMillis = 7;
    public const int TimeMicros = 8;
    public const int TimestampMillis = 9;
    public const int TimestampMicros = 10;
    public const int Uint8 = 11;
    public const int Uint16 = 12;
    public const int Uint32 = 13;
    public const int Uint64 = 14;
    public const int Int8 = 15;
    public const int Int16 = 16;
    public const int Int32 = 17;
    public const int Int64 = 18;
    public const int Json = 19;
}

/// <summary>The logical type annotation, reduced to what decides how a flat column is read.</summary>
internal enum LogicalKind
{
    None,
    String,
    Date,
    TimestampMillis,
    TimestampMicros,
    TimestampNanos,
    SignedInt,
    UnsignedInt,
    Other,
}

/// <summary>One schema node (parquet.thrift SchemaElement).</summary>
internal sealed class SchemaElement
{
    public PhysicalType? Type { get; set; }

    public int? Repetition { get; set; }

    public string Name { get; set; } = "";

    public int? NumChildren { get; set; }

    public int? ConvertedType { get; set; }

    public LogicalKind Logical { get; set; }

    public int LogicalBitWidth { get; set; }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        if (Type is { } type)
        {
            w.FieldI32(1, (int)type);
        }

        if (Repetition is { } repetition)
        {
            w.FieldI32(3, repetition);
        }

        w.FieldString(4, Name);
        if (NumChildren is { } children)
        {
            w.FieldI32(5, children);
        }

        if (ConvertedType is { } converted)
        {
            w.FieldI32(6, converted);
        }

        switch (Logical)
        {
            case LogicalKind.String:
                w.FieldStruct(10);
                w.FieldStruct(1);
                w.EndStruct();
                w.EndStruct();
                break;
            case LogicalKind.Date:
                w.FieldStruct(10);
                w.FieldStruct(6);
                w.EndStruct();
                w.EndStruct();
                break;
            case LogicalKind.TimestampMicros:
                w.FieldStruct(10);
                w.FieldStruct(8);
                w.FieldBool(1, true);
                w.FieldStruct(2);
                w.FieldStruct(2);
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                break;
            default:
                break;
        }

        w.EndStruct();
    }

    public static SchemaElement Read(CompactReader r)
    {
        var e = new SchemaElement();
        var hasName = false;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    e.Type = (PhysicalType)r.ReadI32();
                    break;
                case 3 when type == CompactType.I32:
                    e.Repetition = r.ReadI32();
                    break;
                case 4 when type == CompactType.Binary:
                    e.Name = r.ReadString();
                    hasName = true;
                    break;
                case 5 when type == CompactType.I32:
                    e.NumChildren = r.ReadI32();
                    break;
                case 6 when type == CompactType.I32:
                    e.ConvertedType = r.ReadI32();
                    break;
                case 10 when type == CompactType.Struct:
                    ReadLogicalType(r, e);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        if (!hasName)
        {
            throw r.Fail("schema element without a name");
        }

        return e;
    }

    private static void ReadLogicalType(CompactReader r, SchemaElement e)
    {
        e.Logical = LogicalKind.Other;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (type != CompactType.Struct)
            {
                r.Skip(type);
                continue;
            }

            switch (id)
            {
                case 1:
                    e.Logical = LogicalKind.String;
                    r.Skip(type);
                    break;
                case 6:
                    e.Logical = LogicalKind.Date;
                    r.Skip(type);
                    break;
                case 8:
                    e.Logical = ReadTimestampUnit(r);
                    break;
                case 10:
                    ReadIntType(r, e);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
    }

    private static LogicalKind ReadTimestampUnit(CompactReader r)
    {
        var kind = LogicalKind.Other;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (id == 2 && type == CompactType.Struct)
            {
                r.BeginStruct();
                while (r.NextField(out var unit, out var unitType))
                {
                    kind = unit switch
                    {
                        1 => LogicalKind.TimestampMillis,
                        2 => LogicalKind.TimestampMicros,
                        3 => LogicalKind.TimestampNanos,
                        _ => kind,
                    };
                    r.Skip(unitType);
                }

                r.EndStruct();
            }
            else
            {
                r.Skip(type);
            }
        }

        r.EndStruct();
        return kind;
    }

    private static void ReadIntType(CompactReader r, SchemaElement e)
    {
        var signed = true;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (id == 1 && type == CompactType.Byte)
            {
                // bitWidth is an i8; read through Skip-safe path.
                e.LogicalBitWidth = r.ReadByteValue();
            }
            else if (id == 2 && type is CompactType.BooleanTrue or CompactType.BooleanFalse)
            {
                signed = r.ReadBoolField();
            }
            else
            {
                r.Skip(type);
            }
        }

        r.EndStruct();
        e.Logical = signed ? LogicalKind.SignedInt : LogicalKind.UnsignedInt;
    }
}

/// <summary>Column chunk statistics as stored (parquet.thrift Statistics): PLAIN-encoded bounds.</summary>
internal sealed class StatisticsData
{
    public byte[]? Max { get; set; }

    public byte[]? Min { get; set; }

    public long? NullCount { get; set; }

    public byte[]? MaxValue { get; set; }

    public byte[]? MinValue { get; set; }

    public void Write(CompactWriter w, short fieldId)
    {
        w.FieldStruct(fieldId);
        if (NullCount is { } nulls)
        {
            w.FieldI64(3, nulls);
        }

        if (MaxValue is { } max)
        {
            w.FieldBinary(5, max);
        }

        if (MinValue is { } min)
        {
            w.FieldBinary(6, min);
        }

        w.EndStruct();
    }

    public static StatisticsData Read(CompactReader r)
    {
        var s = new StatisticsData();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary:
                    s.Max = r.ReadBinary();
                    break;
                case 2 when type == CompactType.Binary:
                    s.Min = r.ReadBinary();
                    break;
                case 3 when type == CompactType.I64:
                    s.NullCount = r.ReadI64();
                    break;
                case 5 when type == CompactType.Binary:
                    s.MaxValue = r.ReadBinary();
                    break;
                case 6 when type == CompactType.Binary:
                    s.MinValue = r.ReadBinary();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return s;
    }
}

/// <summary>Where a column chunk's pages are and how they are encoded (parquet.thrift ColumnMetaData).</summary>
internal sealed class ColumnMetaData
{
    public PhysicalType Type { get; set; }

    public List<Encoding> Encodings { get; } = [];

    public List<string> Path { get; } = [];

    public Codec Codec { get; set; }

    public long NumValues { get; set; }

    public long TotalUncompressedSize { get; set; }

    public long TotalCompressedSize { get; set; }

    public long DataPageOffset { get; set; }

    public long? DictionaryPageOffset { get; set; }

    public StatisticsData? Statistics { get; set; }

    public void Write(CompactWriter w)
    {
        w.FieldI32(1, (int)Type);
        w.FieldList(2, CompactType.I32, Encodings.Count);
        foreach (var encoding in Encodings)
        {
            w.ElementI32((int)encoding);
        }

        w.FieldList(3, CompactType.Binary, Path.Count);
        foreach (var part in Path)
        {
            w.WriteString(part);
        }

        w.FieldI32(4, (int)Codec);
        w.FieldI64(5, NumValues);
        w.FieldI64(6, TotalUncompressedSize);
        w.FieldI64(7, TotalCompressedSize);
        w.FieldI64(9, DataPageOffset);
        if (DictionaryPageOffset is { } dictionary)
        {
            w.FieldI64(11, dictionary);
        }

        Statistics?.Write(w, 12);
    }

    public static ColumnMetaData Read(CompactReader r)
    {
        var m = new ColumnMetaData();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    m.Type = (PhysicalType)r.ReadI32();
                    seen |= 1;
                    break;
                case 2 when type == CompactType.List:
                    {
                        var count = r.ReadListHeader(out var element);
                        for (var i = 0; i < count; i++)
                        {
                            if (element != CompactType.I32)
                            {
                                throw r.Fail("encodings list of the wrong type");
                            }

                            m.Encodings.Add((Encoding)r.ReadI32());
                        }

                        break;
                    }

                case 3 when type == CompactType.List:
                    {
                        var count = r.ReadListHeader(out var element);
                        for (var i = 0; i < count; i++)
                        {
                            if (element != CompactType.Binary)
                            {
                                throw r.Fail("path list of the wrong type");
                            }

                            m.Path.Add(r.ReadString());
                        }

                        break;
                    }

                case 4 when type == CompactType.I32:
                    m.Codec = (Codec)r.ReadI32();
                    seen |= 2;
                    break;
                case 5 when type == CompactType.I64:
                    m.NumValues = r.ReadI64();
                    seen |= 4;
                    break;
                case 6 when type == CompactType.I64:
                    m.TotalUncompressedSize = r.ReadI64();
                    break;
                case 7 when type == CompactType.I64:
                    m.TotalCompressedSize = r.ReadI64();
                    seen |= 8;
                    break;
                case 9 when type == CompactType.I64:
                    m.DataPageOffset = r.ReadI64();
                    seen |= 16;
                    break;
                case 11 when type == CompactType.I64:
                    m.DictionaryPageOffset = r.ReadI64();
                    break;
                case 12 when type == CompactType.Struct:
                    m.Statistics = StatisticsData.Read(r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        if (seen != 31)
        {
            throw r.Fail("column metadata lacks a required field");
        }

        return m;
    }
}

/// <summary>One column of one row group (parquet.thrift ColumnChunk).</summary>
internal sealed class ColumnChunk
{
    public long FileOffset { get; set; }

    public ColumnMetaData? MetaData { get; set; }

    public bool External { get; set; }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldI64(2, FileOffset);
        if (MetaData is not null)
        {
            w.FieldStruct(3);
            MetaData.Write(w);
            w.EndStruct();
        }

        w.EndStruct();
    }

    public static ColumnChunk Read(CompactReader r)
    {
        var c = new ColumnChunk();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary:
                    r.Skip(type);
                    c.External = true;
                    break;
                case 2 when type == CompactType.I64:
                    c.FileOffset = r.ReadI64();
                    break;
                case 3 when type == CompactType.Struct:
                    c.MetaData = ColumnMetaData.Read(r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return c;
    }
}

/// <summary>A horizontal slice of the file (parquet.thrift RowGroup).</summary>
internal sealed class RowGroup
{
    public List<ColumnChunk> Columns { get; } = [];

    public long TotalByteSize { get; set; }

    public long NumRows { get; set; }

    public long? FileOffset { get; set; }

    public long? TotalCompressedSize { get; set; }

    public short? Ordinal { get; set; }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldList(1, CompactType.Struct, Columns.Count);
        foreach (var column in Columns)
        {
            column.Write(w);
        }

        w.FieldI64(2, TotalByteSize);
        w.FieldI64(3, NumRows);
        if (FileOffset is { } offset)
        {
            w.FieldI64(5, offset);
        }

        if (TotalCompressedSize is { } compressed)
        {
            w.FieldI64(6, compressed);
        }

        w.EndStruct();
    }

    public static RowGroup Read(CompactReader r)
    {
        var g = new RowGroup();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.List:
                    {
                        var count = r.ReadListHeader(out var element);
                        if (element != CompactType.Struct)
                        {
                            throw r.Fail("column chunk list of the wrong type");
                        }

                        for (var i = 0; i < count; i++)
                        {
                            g.Columns.Add(ColumnChunk.Read(r));
                        }

                        break;
                    }

                case 2 when type == CompactType.I64:
                    g.TotalByteSize = r.ReadI64();
                    break;
                case 3 when type == CompactType.I64:
                    g.NumRows = r.ReadI64();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return g;
    }
}

/// <summary>The footer (parquet.thrift FileMetaData).</summary>
internal sealed class FileMetaData
{
    public int Version { get; set; } = 1;

    public List<SchemaElement> Schema { get; } = [];

    public long NumRows { get; set; }

    public List<RowGroup> RowGroups { get; } = [];

    public List<KeyValuePair<string, string?>> KeyValues { get; } = [];

    public string? CreatedBy { get; set; }

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, Version);
        w.FieldList(2, CompactType.Struct, Schema.Count);
        foreach (var element in Schema)
        {
            element.Write(w);
        }

        w.FieldI64(3, NumRows);
        w.FieldList(4, CompactType.Struct, RowGroups.Count);
        foreach (var group in RowGroups)
        {
            group.Write(w);
        }

        if (KeyValues.Count > 0)
        {
            w.FieldList(5, CompactType.Struct, KeyValues.Count);
            foreach (var (key, value) in KeyValues)
            {
                w.BeginStruct();
                w.FieldString(1, key);
                if (value is not null)
                {
                    w.FieldString(2, value);
                }

                w.EndStruct();
            }
        }

        if (CreatedBy is not null)
        {
            w.FieldString(6, CreatedBy);
        }

        // Column orders: TYPE_ORDER for every leaf, so readers trust min_value/max_value.
        var leaves = Schema.Count - 1;
        w.FieldList(7, CompactType.Struct, leaves);
        for (var i = 0; i < leaves; i++)
        {
            w.BeginStruct();
            w.FieldStruct(1);
            w.EndStruct();
            w.EndStruct();
        }

        w.EndStruct();
    }

    public static FileMetaData Read(CompactReader r)
    {
        var f = new FileMetaData();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    f.Version = r.ReadI32();
                    break;
                case 2 when type == CompactType.List:
                    {
                        var count = r.ReadListHeader(out var element);
                        if (element != CompactType.Struct)
                        {
                            throw r.Fail("schema list of the wrong type");
                        }

                        for (var i = 0; i < count; i++)
                        {
                            f.Schema.Add(SchemaElement.Read(r));
                        }

                        seen |= 1;
                        break;
                    }

                case 3 when type == CompactType.I64:
                    f.NumRows = r.ReadI64();
                    seen |= 2;
                    break;
                case 4 when type == CompactType.List:
                    {
                        var count = r.ReadListHeader(out var element);
                        if (element != CompactType.Struct)
                        {
                            throw r.Fail("row group list of the wrong type");
                        }

                        for (var i = 0; i < count; i++)
                        {
                            f.RowGroups.Add(RowGroup.Read(r));
                        }

                        seen |= 4;
                        break;
                    }

                case 5 when type == CompactType.List:
                    {
                        var count = r.ReadListHeader(out var element);
                        if (element != CompactType.Struct)
                        {
                            throw r.Fail("key-value list of the wrong type");
                        }

                        for (var i = 0; i < count; i++)
                        {
                            f.KeyValues.Add(ReadKeyValue(r));
                        }

                        break;
                    }

                case 6 when type == CompactType.Binary:
                    f.CreatedBy = r.ReadString();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        if (seen != 7)
        {
            throw r.Fail("footer lacks the schema, row count or row groups");
        }

        return f;
    }

    private static KeyValuePair<string, string?> ReadKeyValue(CompactReader r)
    {
        string? key = null;
        string? value = null;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (id == 1 && type == CompactType.Binary)
            {
                key = r.ReadString();
            }
            else if (id == 2 && type == CompactType.Binary)
            {
                value = r.ReadString();
            }
            else
            {
                r.Skip(type);
            }
        }

        r.EndStruct();
        return new(key ?? throw r.Fail("key-value entry without a key"), value);
    }
}
