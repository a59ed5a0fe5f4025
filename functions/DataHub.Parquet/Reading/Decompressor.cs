using System.IO.Compression;
using DataHub.Parquet.Format;

namespace DataHub.Parquet.Reading;

/// <summary>Decompresses one page into a buffer of exactly the size its header declares, after checking that size is plausible.</summary>
internal static class Decompressor
{
    /// <summary>Snappy cannot expand more than ~21x (a 3-byte copy of 64 bytes); deflate not more than ~1032x.</summary>
    private const int SnappyMaxRatio = 22;
    private const int DeflateMaxRatio = 1040;

    public static byte[] Decompress(Codec codec, ReadOnlySpan<byte> compressed, int uncompressedSize, Func<string, ParquetFormatException> fail)
    {
        switch (codec)
        {
            case Codec.Uncompressed:
                if (compressed.Length != uncompressedSize)
                {
                    throw fail("uncompressed page whose two sizes differ");
                }

                return compressed.ToArray();
            case Codec.Snappy:
                {
                    if (uncompressedSize > ((long)compressed.Length * SnappyMaxRatio) + 16)
                    {
                        throw fail("page claims more uncompressed bytes than Snappy can produce");
                    }

                    if (SnappyLength(compressed) != uncompressedSize)
                    {
                        throw fail("Snappy block length differs from the page header");
                    }

                    byte[] output;
                    try
                    {
                        output = IronSnappy.Snappy.Decode(compressed);
                    }
                    catch (Exception ex)
                    {
                        throw fail($"Snappy data is corrupt ({ex.GetType().Name})");
                    }

                    if (output.Length != uncompressedSize)
                    {
                        throw fail("Snappy output size differs from the page header");
                    }

                    return output;
                }

            case Codec.Gzip:
                {
                    if (uncompressedSize > ((long)compressed.Length * DeflateMaxRatio) + 1024)
                    {
                        throw fail("page claims more uncompressed bytes than GZIP can produce");
                    }

                    var output = new byte[uncompressedSize];
                    try
                    {
                        using var gzip = new GZipStream(new MemoryStream(compressed.ToArray(), writable: false), CompressionMode.Decompress);
                        var read = gzip.ReadAtLeast(output, output.Length, throwOnEndOfStream: false);
                        Span<byte> extra = stackalloc byte[1];
                        if (read != output.Length || gzip.Read(extra) != 0)
                        {
                            throw fail("GZIP output size differs from the page header");
                        }
                    }
                    catch (InvalidDataException ex)
                    {
                        throw fail($"GZIP data is corrupt ({ex.Message})");
                    }

                    return output;
                }

            default:
                throw fail($"codec {codec.ToString().ToUpperInvariant()} is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP)");
        }
    }

    /// <summary>The uncompressed length a raw Snappy block declares (a varint prefix), or -1.</summary>
    private static long SnappyLength(ReadOnlySpan<byte> data)
    {
        long value = 0;
        for (var i = 0; i < 5 && i < data.Length; i++)
        {
            value |= (long)(data[i] & 0x7F) << (7 * i);
            if ((data[i] & 0x80) == 0)
            {
                return value;
            }
        }

        return -1;
    }
}
