using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Tests.Pseudonymisation;

/// <summary>The side-by-side HMAC must be HMAC-SHA256 exactly: checked against .NET's own for every shape of input.</summary>
public sealed class HmacLanesTests
{
    public static TheoryData<int, bool> Shapes()
    {
        var data = new TheoryData<int, bool>();
        foreach (var keyLength in new[] { 1, 16, 32, 64, 65, 200 })
        {
            data.Add(keyLength, true);
            data.Add(keyLength, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_mac_equals_HMACSHA256_for_any_key_batch_size_and_message_length(int keyLength, bool lanes)
    {
        var random = new Random(keyLength * 31);
        var key = new byte[keyLength];
        random.NextBytes(key);
        using var hmac = new HmacLanes(key, lanes);
        foreach (var batch in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 100, 1000 })
        {
            var messages = Enumerable.Range(0, batch).Select(_ =>
            {
                // Mostly around the one-block limit (55), some long, some empty.
                var length = random.Next(4) switch
                {
                    0 => random.Next(0, 20),
                    1 => random.Next(50, 66),
                    2 => random.Next(0, 56),
                    _ => random.Next(56, 300),
                };
                var message = new byte[length];
                random.NextBytes(message);
                return message;
            }).ToArray();

            AssertMacs(hmac, key, messages);
        }
    }

    [Fact]
    public void Boundary_lengths_and_a_mixed_batch_match()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using var hmac = new HmacLanes(key);
        var messages = new[] { 0, 1, 54, 55, 56, 63, 64, 119, 120, 13, 55, 56 }
            .Select(n => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray())
            .ToArray();
        AssertMacs(hmac, key, messages);
    }

    [Fact]
    public void Rfc4231_test_vectors_hold()
    {
        // Test cases 1, 2 and 6 of RFC 4231 (HMAC-SHA-256).
        Mac(Enumerable.Repeat((byte)0x0b, 20).ToArray(), "Hi There"u8.ToArray())
            .Should().Be("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        Mac("Jefe"u8.ToArray(), "what do ya want for nothing?"u8.ToArray())
            .Should().Be("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        Mac(Enumerable.Repeat((byte)0xaa, 131).ToArray(), "Test Using Larger Than Block-Size Key - Hash Key First"u8.ToArray())
            .Should().Be("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    private static string Mac(byte[] key, byte[] message)
    {
        using var hmac = new HmacLanes(key);
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
                $"message {i} of {messages.Length} ({messages[i].Length} bytes, key {key.Length} bytes)");
        }
    }
}
