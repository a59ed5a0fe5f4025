using System.Text;

namespace DataHub.Parquet.Thrift;

/// <summary>Writes Thrift compact-protocol structs (the encoding of Parquet's footer and page headers).</summary>
internal sealed class CompactWriter(ByteBuffer output)
{
    private readonly Stack<short> _lastFieldIds = new();
    private short _lastFieldId;

    public void BeginStruct()
    {
        _lastFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void EndStruct()
    {
        output.Write(0);
        _lastFieldId = _lastFieldIds.Pop();
    }

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, CompactType.I32);
        output.WriteVarint(ZigZag(value));
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, CompactType.I64);
        output.WriteVarint(ZigZag(value));
    }

    public void FieldI8(short id, sbyte value)
    {
        FieldHeader(id, CompactType.Byte);
        output.Write((byte)value);
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? CompactType.BooleanTrue : CompactType.BooleanFalse);

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, CompactType.Binary);
        output.WriteVarint((ulong)value.Length);
        output.Write(value);
    }

    public void FieldString(short id, string value)
    {
        FieldHeader(id, CompactType.Binary);
        WriteString(value);
    }

    /// <summary>Starts a struct-valued field; close with <see cref="EndStruct"/>.</summary>
    public void FieldStruct(short id)
    {
        FieldHeader(id, CompactType.Struct);
        BeginStruct();
    }

    /// <summary>Starts a list-valued field; the elements follow.</summary>
    public void FieldList(short id, byte elementType, int count)
    {
        FieldHeader(id, CompactType.List);
        ListHeader(elementType, count);
    }

    public void ListHeader(byte elementType, int count)
    {
        if (count < 15)
        {
            output.Write((byte)((count << 4) | elementType));
        }
        else
        {
            output.Write((byte)(0xF0 | elementType));
            output.WriteVarint((ulong)count);
        }
    }

    public void ElementI32(int value) => output.WriteVarint(ZigZag(value));

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        output.WriteVarint((ulong)length);
        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    private void FieldHeader(short id, byte type)
    {
        var delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            output.Write((byte)((delta << 4) | type));
        }
        else
        {
            output.Write(type);
            output.WriteVarint(ZigZag(id));
        }

        _lastFieldId = id;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}

/// <summary>Thrift compact-protocol type codes.</summary>
internal static class CompactType
{
    public const byte Stop = 0;
    public const byte BooleanTrue = 1;
    public const byte BooleanFalse = 2;
    public const byte Byte = 3;
    public const byte I16 = 4;
    public const byte I32 = 5;
    public const byte I64 = 6;
    public const byte Double = 7;
    public const byte Binary = 8;
    public const byte List = 9;
    public const byte Set = 10;
    public const byte Map = 11;
    public const byte Struct = 12;
}
