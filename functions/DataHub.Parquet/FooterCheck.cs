using System.Reflection;
using System.Runtime.ExceptionServices;
using Parquet.Meta;

namespace DataHub.Parquet;

/// <summary>Runs Parquet.Net's own footer parser once over a copy of the footer that ends in an exception.</summary>
/// <remarks>The library parses the footer from a buffer of its own, where a read past the end returns -1 and its varint
/// loop then never ends: a damaged footer would hang the reader. Parsing the same bytes first with the same parser
/// (reached by reflection: it is internal to the pinned 6.1.0), over a stream that throws at its end, proves the library's
/// pass terminates, since it reads the same bytes the same way. No byte of the format is decoded here.</remarks>
internal static class FooterCheck
{
    private static readonly System.Type Protocol = typeof(FileMetaData).Assembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader", throwOnError: true)!;

    private static readonly MethodInfo Read = typeof(FileMetaData).GetMethod("Read", BindingFlags.NonPublic | BindingFlags.Static, [Protocol])
        ?? throw new MissingMethodException(nameof(FileMetaData), "Read");

    /// <summary>Parses <paramref name="footer"/>; throws what the parser throws, <see cref="EndOfStreamException"/> where it
    /// would have run past the end, or <see cref="InvalidDataException"/> when it stops short (a damaged byte read as the end
    /// of the footer would silently drop the row groups that follow it).</summary>
    public static void Parse(byte[] footer)
    {
        using var bytes = FileGuard.Ending(footer);
        try
        {
            Read.Invoke(null, [Activator.CreateInstance(Protocol, [bytes])]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
        }

        if (bytes.Position != footer.Length)
        {
            throw new InvalidDataException($"the footer's metadata ends after {bytes.Position} of its {footer.Length} bytes");
        }
    }
}
