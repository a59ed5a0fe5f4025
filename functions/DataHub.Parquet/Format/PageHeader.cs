using DataHub.Parquet.Thrift;

namespace DataHub.Parquet.Format;

/// <summary>The header before every page (parquet.thrift PageHeader with its data/dictionary sub-headers).</summary>
internal sealed class PageHeader
{
    public PageType Type { get; set; }

    public int UncompressedSize { get; set; }

    public int CompressedSize { get; set; }

    public int NumValues { get; set; }

    /// <summary>CRC-32 of the page's stored (compressed) bytes, when the writer recorded one.</summary>
    public int? Crc { get; set; }

    public Encoding Encoding { get; set; }

    public Encoding DefinitionLevelEncoding { get; set; } = Encoding.Rle;

    /// <summary>Data page v2 only.</summary>
    public int NumNulls { get; set; }

    /// <summary>Data page v2 only.</summary>
    public int NumRows { get; set; }

    /// <summary>Data page v2 only: the uncompressed definition levels' length.</summary>
    public int DefinitionLevelsLength { get; set; }

    /// <summary>Data page v2 only: the uncompressed repetition levels' length.</summary>
    public int RepetitionLevelsLength { get; set; }

    /// <summary>Data page v2 only.</summary>
    public bool IsCompressed { get; set; } = true;

    public void Write(CompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, (int)Type);
        w.FieldI32(2, UncompressedSize);
        w.FieldI32(3, CompressedSize);
        if (Crc is { } crc)
        {
            w.FieldI32(4, crc);
        }

        if (Type == PageType.DataPageV2)
        {
            w.FieldStruct(8);
            w.FieldI32(1, NumValues);
            w.FieldI32(2, NumNulls);
            w.FieldI32(3, NumRows);
            w.FieldI32(4, (int)Encoding);
            w.FieldI32(5, DefinitionLevelsLength);
            w.FieldI32(6, 0);
            w.FieldBool(7, IsCompressed);
            w.EndStruct();
        }
        else if (Type == PageType.DictionaryPage)
        {
            w.FieldStruct(7);
            w.FieldI32(1, NumValues);
            w.FieldI32(2, (int)Encoding);
            w.EndStruct();
        }
        else
        {
            w.FieldStruct(5);
            w.FieldI32(1, NumValues);
            w.FieldI32(2, (int)Encoding);
            w.FieldI32(3, (int)Encoding.Rle);
            w.FieldI32(4, (int)Encoding.Rle);
            w.EndStruct();
        }

        w.EndStruct();
    }

    public static PageHeader Read(CompactReader r)
    {
        var h = new PageHeader();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    h.Type = (PageType)r.ReadI32();
                    seen |= 1;
                    break;
                case 2 when type == CompactType.I32:
                    h.UncompressedSize = r.ReadI32();
                    seen |= 2;
                    break;
                case 3 when type == CompactType.I32:
                    h.CompressedSize = r.ReadI32();
                    seen |= 4;
                    break;
                case 4 when type == CompactType.I32:
                    h.Crc = r.ReadI32();
                    break;
                case 5 when type == CompactType.Struct:
                    ReadDataPageHeader(r, h);
                    seen |= 8;
                    break;
                case 7 when type == CompactType.Struct:
                    // The dictionary header's num_values and encoding share the data header's field ids.
                    ReadDataPageHeader(r, h);
                    seen |= 8;
                    break;
                case 8 when type == CompactType.Struct:
                    ReadDataPageHeaderV2(r, h);
                    seen |= 8;
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        if ((seen & 7) != 7)
        {
            throw r.Fail("page header lacks its type or sizes");
        }

        if (h.UncompressedSize < 0 || h.CompressedSize < 0)
        {
            throw r.Fail("negative page size");
        }

        if (h.Type is PageType.DataPage or PageType.DataPageV2 or PageType.DictionaryPage && (seen & 8) == 0)
        {
            throw r.Fail("page header lacks its data or dictionary header");
        }

        return h;
    }

    private static void ReadDataPageHeader(CompactReader r, PageHeader h)
    {
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    h.NumValues = r.ReadI32();
                    break;
                case 2 when type == CompactType.I32:
                    h.Encoding = (Encoding)r.ReadI32();
                    break;
                case 3 when type == CompactType.I32:
                    h.DefinitionLevelEncoding = (Encoding)r.ReadI32();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
    }

    private static void ReadDataPageHeaderV2(CompactReader r, PageHeader h)
    {
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    h.NumValues = r.ReadI32();
                    break;
                case 2 when type == CompactType.I32:
                    h.NumNulls = r.ReadI32();
                    break;
                case 3 when type == CompactType.I32:
                    h.NumRows = r.ReadI32();
                    break;
                case 4 when type == CompactType.I32:
                    h.Encoding = (Encoding)r.ReadI32();
                    break;
                case 5 when type == CompactType.I32:
                    h.DefinitionLevelsLength = r.ReadI32();
                    break;
                case 6 when type == CompactType.I32:
                    h.RepetitionLevelsLength = r.ReadI32();
                    break;
                case 7 when type is CompactType.BooleanTrue or CompactType.BooleanFalse:
                    h.IsCompressed = r.ReadBoolField();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
    }
}
