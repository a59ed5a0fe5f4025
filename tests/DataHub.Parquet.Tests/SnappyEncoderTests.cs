using System.Text;
using DataHub.Parquet.Writing;

namespace DataHub.Parquet.Tests;

/// <summary>Our Snappy compressor, checked by decoding its output with an independent decoder (IronSnappy's).</summary>
public sealed class SnappyEncoderTests
{
    public static TheoryData<string, int> Shapes => new()
    {
        { "random", 0 },
        { "random", 1 },
        { "random", 14 },
        { "random", 15 },
        { "random", 1000 },
        { "random", 65_535 },
        { "random", 65_536 },
        { "random", 65_537 },
        { "random", 300_000 },
        { "zeros", 16 },
        { "zeros", 100_000 },
        { "hex-tokens", 64 * 1024 },
        { "hex-tokens", 200_000 },
        { "short-repeats", 70_000 },
        { "far-repeats", 140_000 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Compressed_pages_decode_to_the_original_bytes(string shape, int length)
    {
        var input = Make(shape, length, new Random(length + shape.Length));
        var encoder = new SnappyEncoder();
        var output = new byte[SnappyEncoder.MaxLength(input.Length)];
        var written = encoder.Encode(input, output);

        IronSnappy.Snappy.Decode(output.AsSpan(0, written)).Should().Equal(input);

        // The encoder keeps state between pages: a second page must not be affected by the first.
        var second = Make("short-repeats", 5000, new Random(1));
        var secondOutput = new byte[SnappyEncoder.MaxLength(second.Length)];
        var again = encoder.Encode(second, secondOutput);
        IronSnappy.Snappy.Decode(secondOutput.AsSpan(0, again)).Should().Equal(second);
    }

    [Fact]
    public void Repetitive_pages_shrink_and_incompressible_ones_stay_within_the_bound()
    {
        var encoder = new SnappyEncoder();
        var zeros = new byte[100_000];
        var output = new byte[SnappyEncoder.MaxLength(zeros.Length)];
        encoder.Encode(zeros, output).Should().BeLessThan(zeros.Length / 20);

        var tokens = Make("hex-tokens", 100_000, new Random(7));
        encoder.Encode(tokens, output).Should().BeLessThan((int)(tokens.Length * 0.95), "each token's repeated prefix becomes a copy");

        var random = Make("random", 100_000, new Random(8));
        encoder.Encode(random, output).Should().BeInRange(random.Length, SnappyEncoder.MaxLength(random.Length));
    }

    [Fact]
    public void Seeded_random_mixtures_round_trip()
    {
        var random = new Random(20171001);
        var encoder = new SnappyEncoder();
        for (var i = 0; i < 300; i++)
        {
            // Runs of random bytes, copies from near and far back, and single repeated bytes, glued together.
            var buffer = new List<byte>();
            var target = random.Next(0, 150_000);
            while (buffer.Count < target)
            {
                switch (random.Next(4))
                {
                    case 0:
                        buffer.AddRange(Make("random", random.Next(1, 200), random));
                        break;
                    case 1 when buffer.Count > 0:
                        var from = random.Next(Math.Max(0, buffer.Count - 70_000), buffer.Count);
                        var count = random.Next(1, 300);
                        for (var c = 0; c < count; c++)
                        {
                            buffer.Add(buffer[from + c]);
                        }

                        break;
                    default:
                        buffer.AddRange(Enumerable.Repeat((byte)random.Next(256), random.Next(1, 100)));
                        break;
                }
            }

            var input = buffer.ToArray();
            var output = new byte[SnappyEncoder.MaxLength(input.Length)];
            var written = encoder.Encode(input, output);
            IronSnappy.Snappy.Decode(output.AsSpan(0, written)).Should().Equal(input, $"mixture {i} of {input.Length} bytes");
        }
    }

    private static byte[] Make(string shape, int length, Random random)
    {
        var bytes = new byte[length];
        switch (shape)
        {
            case "random":
                random.NextBytes(bytes);
                break;
            case "zeros":
                break;
            case "hex-tokens":
                var text = new StringBuilder();
                while (text.Length < length)
                {
                    var mac = new byte[32];
                    random.NextBytes(mac);
                    text.Append("\u0043\0\0\0v1:").Append(Convert.ToHexStringLower(mac));
                }

                Encoding.ASCII.GetBytes(text.ToString(0, length), bytes);
                break;
            case "short-repeats":
                var word = Encoding.ASCII.GetBytes("victim,perpetrator,");
                for (var i = 0; i < length; i++)
                {
                    bytes[i] = word[(i + (i / 997)) % word.Length];
                }

                break;
            case "far-repeats":
                var block = new byte[60_000];
                random.NextBytes(block);
                for (var i = 0; i < length; i++)
                {
                    bytes[i] = block[i % block.Length];
                }

                break;
        }

        return bytes;
    }
}
