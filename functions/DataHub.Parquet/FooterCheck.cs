using System.Runtime.CompilerServices;
using Parquet.Meta;

namespace DataHub.Parquet;

/// <summary>Runs Parquet.Net's own footer parser once over a copy of the footer that ends in an exception.</summary>
/// <remarks>The library parses the footer from a buffer of its own, where a read past the end returns -1 and its varint
/// loop then never ends: a damaged footer would hang the reader. Parsing the same bytes first with the same parser
/// (internal to the pinned 6.1.0), over a stream that throws at its end, proves the library's pass terminates, since it
/// reads the same bytes the same way. No byte of the format is decoded here. The parser is reached through unsafe
/// accessors rather than reflection: the compiler binds them to the internal members, so the native (AOT) `datahub` keeps
/// and calls them like any other method, and a Parquet.Net that renamed them fails at the first call (MissingMethodException).</remarks>
internal static class FooterCheck
{
    private const string ProtocolReader = "Parquet.Meta.Proto.ThriftCompactProtocolReader, Parquet";

    /// <summary>Parses <paramref name="footer"/>; throws what the parser throws, <see cref="EndOfStreamException"/> where it
    /// would have run past the end, or <see cref="InvalidDataException"/> when it stops short (a damaged byte read as the end
    /// of the footer would silently drop the row groups that follow it).</summary>
    public static void Parse(byte[] footer)
    {
        using var bytes = FileGuard.Ending(footer);
        _ = Read(null, NewProtocolReader(bytes));
        if (bytes.Position != footer.Length)
        {
            throw new InvalidDataException($"the footer's metadata ends after {bytes.Position} of its {footer.Length} bytes");
        }
    }

    /// <summary>new ThriftCompactProtocolReader(stream).</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    [return: UnsafeAccessorType(ProtocolReader)]
    private static extern object NewProtocolReader(Stream stream);

    /// <summary>FileMetaData.Read(reader), the static method the library's own reader calls on the footer.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "Read")]
    private static extern FileMetaData Read(FileMetaData? type, [UnsafeAccessorType(ProtocolReader)] object reader);
}
