using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Tests.Pseudonymisation;

/// <summary>
/// The side-by-side HMAC must be HMAC-SHA256 exactly: checked against .NET's own for every shape of input, at each width
/// of lanes (16, 8, and 1, which is .NET's HMAC for every message). A width the machine lacks falls back to a narrower
/// one, so every case runs everywhere.
/// </summary>
public sealed class HmacLanesTests
{
    /// <summary>The lengths around the one-block limit (55 bytes) and the two-block one (119).</summary>
    private static readonly int[] Boundaries = [0, 1, 54, 55, 56, 63, 64, 119, 120, 300];

    /// <summary>Lanes per vector: 512-bit, 256-bit, and none.</summary>
    private static readonly int[] AllWidths = [16, 8, 1];

    public static TheoryData<int> Widths() => new(AllWidths);

    public static TheoryData<int, int> KeysAndWidths()
    {
        var data = new TheoryData<int, int>();
        foreach (var keyLength in new[] { 1, 16, 32, 64, 65, 200 })
        {
            foreach (var width in AllWidths)
            {
                data.Add(keyLength, width);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KeysAndWidths))]
    public void Every_mac_equals_HMACSHA256_for_any_key_batch_size_and_message_length(int keyLength, int width)
    {
        var random = new Random((keyLength * 31) + width);
        var key = new byte[keyLength];
        random.NextBytes(key);
        using var hmac = new HmacLanes(key, width);
        foreach (var batch in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 100, 1000 })
        {
            var messages = Enumerable.Range(0, batch).Select(_ =>
            {
                var length = random.Next(3) switch
                {
                    0 => Boundaries[random.Next(Boundaries.Length)],
                    1 => random.Next(0, HmacLanes.MaxLaneMessage + 1),
                    _ => random.Next(0, 301),
                };
                var message = new byte[length];
                random.NextBytes(message);
                return message;
            }).ToArray();

            AssertMacs(hmac, key, messages);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void A_batch_mixing_short_and_long_messages_keeps_each_mac_in_its_place(int width)
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using var hmac = new HmacLanes(key, width);
        var messages = new[] { 0, 1, 54, 55, 56, 63, 64, 119, 120, 13, 55, 56, 300, 14, 31, 32, 33, 200, 40, 7 }
            .Select(n => Enumerable.Range(0, n).Select(i => (byte)((i * 7) + n)).ToArray())
            .ToArray();
        AssertMacs(hmac, key, messages);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void A_batch_given_as_a_window_of_offsets_into_a_larger_buffer_reads_only_its_own_messages(int width)
    {
        // As the ingest and the benchmark pass them: offsets index the whole buffer, and other messages lie either side.
        var random = new Random(4231);
        var key = new byte[32];
        random.NextBytes(key);
        var buffer = new byte[4000];
        random.NextBytes(buffer);
        var offsets = new[] { 100, 114, 114, 169, 200, 263, 300, 330, 385, 390, 3990 };
        var macs = new byte[(offsets.Length - 1) * 32];
        using var hmac = new HmacLanes(key, width);

        hmac.Compute(buffer, offsets, macs);

        for (var m = 0; m < offsets.Length - 1; m++)
        {
            Convert.ToHexStringLower(macs.AsSpan(m * 32, 32)).Should().Be(
                Convert.ToHexStringLower(HMACSHA256.HashData(key, buffer.AsSpan(offsets[m]..offsets[m + 1]))), $"message {m}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Rfc4231_test_vectors_hold(int width)
    {
        // The HMAC-SHA-256 results of RFC 4231's test cases 1-7; case 5's is truncated to 128 bits there.
        Mac(width, Repeat(0x0b, 20), "Hi There"u8.ToArray())
            .Should().Be("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        Mac(width, "Jefe"u8.ToArray(), "what do ya want for nothing?"u8.ToArray())
            .Should().Be("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        Mac(width, Repeat(0xaa, 20), Repeat(0xdd, 50))
            .Should().Be("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
        Mac(width, Enumerable.Range(1, 25).Select(i => (byte)i).ToArray(), Repeat(0xcd, 50))
            .Should().Be("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
        Mac(width, Repeat(0x0c, 20), "Test With Truncation"u8.ToArray())[..32]
            .Should().Be("a3b6167473100ee06e0c796c2955552b");
        Mac(width, Repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First"u8.ToArray())
            .Should().Be("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        Mac(width, Repeat(0xaa, 131), "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."u8.ToArray())
            .Should().Be("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }

    [Fact]
    public void The_widest_lanes_the_machine_accelerates_are_used_and_a_narrower_limit_is_kept()
    {
        var key = new byte[32];
        var widest = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 1;
        using var chosen = new HmacLanes(key);
        using var eight = new HmacLanes(key, 8);
        using var one = new HmacLanes(key, 1);

        chosen.Lanes.Should().Be(widest);
        eight.Lanes.Should().Be(Math.Min(widest, 8));
        one.Lanes.Should().Be(1);
    }

    [Fact]
    public void Too_little_room_for_the_macs_is_refused()
    {
        using var hmac = new HmacLanes(new byte[32]);

        var compute = () => hmac.Compute(new byte[10], [0, 5, 10], new byte[63]);

        compute.Should().Throw<ArgumentException>().WithParameterName("macs");
    }

    [Fact]
    public void After_dispose_no_mac_is_made()
    {
        var hmac = new HmacLanes(new byte[32]);
        hmac.Dispose();

        var compute = () => hmac.Compute(new byte[10], [0, 5, 10], new byte[64]);

        compute.Should().Throw<ObjectDisposedException>();
    }

    private static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    private static string Mac(int width, byte[] key, byte[] message)
    {
        using var hmac = new HmacLanes(key, width);
        var mac = new byte[32];
        hmac.Compute(message, [0, message.Length], mac);
        return Convert.ToHexStringLower(mac);
    }

    private static void AssertMacs(HmacLanes hmac, byte[] key, byte[][] messages)
    {
        var offsets = new int[messages.Length + 1];
        for (var i = 0; i < messages.Length; i++)
        {
            offsets[i + 1] = offsets[i] + messages[i].Length;
        }

        var macs = new byte[messages.Length * 32];
        hmac.Compute(messages.SelectMany(m => m).ToArray(), offsets, macs);
        for (var i = 0; i < messages.Length; i++)
        {
            Convert.ToHexStringLower(macs.AsSpan(i * 32, 32)).Should().Be(
                Convert.ToHexStringLower(HMACSHA256.HashData(key, messages[i])),
                $"message {i} of {messages.Length} ({messages[i].Length} bytes, key {key.Length} bytes, {hmac.Lanes} lanes)");
        }
    }
}
