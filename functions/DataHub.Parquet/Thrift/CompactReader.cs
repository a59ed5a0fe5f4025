using System.Text;

namespace DataHub.Parquet.Thrift;

/// <summary>Reads Thrift compact-protocol structs from a bounded byte range, trusting no length or count it reads.</summary>
/// <remarks>Every string and list length is checked against the bytes left, nesting is capped, and every read consumes input,
/// so malformed input ends in <see cref="ParquetFormatException"/>: never a hang, a deep recursion or a large allocation.</remarks>
internal sealed class CompactReader(byte[] data, int start, int end, string fileName, string what)
{
    private const int MaxDepth = 32;
    private readonly short[] _lastFieldIds = new short[MaxDepth + 1];
    private int _depth;
    private short _lastFieldId;
    private byte _pendingBool;

    public int Position { get; private set; } = start;

    public int Remaining => end - Position;

    public void BeginStruct()
    {
        if (_depth >= MaxDepth)
        {
            throw Fail("structures nested too deeply");
        }

        _lastFieldIds[_depth++] = _lastFieldId;
        _lastFieldId = 0;
    }

    public void EndStruct()
    {
        _lastFieldId = _lastFieldIds[--_depth];
    }

    /// <summary>Reads the next field header; false at the struct's stop byte.</summary>
    public bool NextField(out short id, out byte type)
    {
        var header = ReadByte();
        type = (byte)(header & 0x0F);
        if (type == CompactType.Stop)
        {
            id = 0;
            return false;
        }

        var delta = header >> 4;
        if (delta != 0)
        {
            id = (short)(_lastFieldId + delta);
        }
        else
        {
            var raw = ReadZigZag();
            if (raw is < short.MinValue or > short.MaxValue)
            {
                throw Fail("field id out of range");
            }

            id = (short)raw;
        }

        if (type > CompactType.Struct)
        {
            throw Fail($"unknown field type {type}");
        }

        _lastFieldId = id;
        _pendingBool = type;
        return true;
    }

    public bool ReadBoolField() => _pendingBool switch
    {
        CompactType.BooleanTrue => true,
        CompactType.BooleanFalse => false,
        _ => throw Fail("boolean field has a non-boolean type"),
    };

    public int ReadI32()
    {
        var value = ReadZigZag();
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw Fail("32-bit integer out of range");
        }

        return (int)value;
    }

    public long ReadI64() => ReadZigZag();

    public int ReadByteValue() => (sbyte)ReadByte();

    public byte[] ReadBinary()
    {
        var length = ReadLength();
        var value = data.AsSpan(Position, length).ToArray();
        Position += length;
        return value;
    }

    public string ReadString()
    {
        var length = ReadLength();
        var value = Encoding.UTF8.GetString(data, Position, length);
        Position += length;
        return value;
    }

    /// <summary>Reads a list header; the count is bounded by the bytes left since every element takes at least one byte.</summary>
    public int ReadListHeader(out byte elementType)
    {
        var header = ReadByte();
        elementType = (byte)(header & 0x0F);
        var count = header >> 4;
        if (count == 15)
        {
            var big = ReadVarint();
            if (big > (ulong)Remaining)
            {
                throw Fail("list longer than the bytes left");
            }

            count = (int)big;
        }

        return count;
    }

    /// <summary>Expects a field of the given type (after <see cref="NextField"/>).</summary>
    public void Expect(byte actual, byte expected, string field)
    {
        if (actual != expected && !(expected == CompactType.BooleanTrue && actual == CompactType.BooleanFalse))
        {
            throw Fail($"field {field} has type {actual}, expected {expected}");
        }
    }

    public void Skip(byte type) => Skip(type, 0);

    public ParquetFormatException Fail(string problem) => new(fileName, $"{what}: {problem}");

    private void Skip(byte type, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail("structures nested too deeply");
        }

        switch (type)
        {
            case CompactType.BooleanTrue:
            case CompactType.BooleanFalse:
                return;
            case CompactType.Byte:
                ReadByte();
                return;
            case CompactType.I16:
            case CompactType.I32:
            case CompactType.I64:
                ReadVarint();
                return;
            case CompactType.Double:
                Need(8);
                Position += 8;
                return;
            case CompactType.Binary:
                Position += ReadLength();
                return;
            case CompactType.List:
            case CompactType.Set:
                {
                    var count = ReadListHeader(out var element);
                    for (var i = 0; i < count; i++)
                    {
                        SkipElement(element, depth + 1);
                    }

                    return;
                }

            case CompactType.Map:
                {
                    var count = ReadVarint();
                    if (count == 0)
                    {
                        return;
                    }

                    if (count > (ulong)Remaining)
                    {
                        throw Fail("map longer than the bytes left");
                    }

                    var types = ReadByte();
                    for (ulong i = 0; i < count; i++)
                    {
                        SkipElement((byte)(types >> 4), depth + 1);
                        SkipElement((byte)(types & 0x0F), depth + 1);
                    }

                    return;
                }

            case CompactType.Struct:
                {
                    BeginStruct();
                    while (NextField(out _, out var fieldType))
                    {
                        Skip(fieldType, depth + 1);
                    }

                    EndStruct();
                    return;
                }

            default:
                throw Fail($"unknown type {type}");
        }
    }

    private void SkipElement(byte type, int depth)
    {
        // Inside containers a boolean is one byte, not folded into a header.
        if (type is CompactType.BooleanTrue or CompactType.BooleanFalse)
        {
            ReadByte();
            return;
        }

        Skip(type, depth);
    }

    private int ReadLength()
    {
        var length = ReadVarint();
        if (length > (ulong)Remaining)
        {
            throw Fail("string or binary longer than the bytes left");
        }

        return (int)length;
    }

    private byte ReadByte()
    {
        Need(1);
        return data[Position++];
    }

    private long ReadZigZag()
    {
        var raw = ReadVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Fail("varint longer than 10 bytes");
    }

    private void Need(int count)
    {
        if (Remaining < count)
        {
            throw Fail("ends early");
        }
    }
}
