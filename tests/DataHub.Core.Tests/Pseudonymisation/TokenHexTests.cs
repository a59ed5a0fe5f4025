using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Tests.Pseudonymisation;

public sealed class TokenHexTests
{
    [Fact]
    public void Writes_what_the_platform_lower_hex_writes_for_every_byte_and_many_random_macs()
    {
        var random = new Random(20171001);
        List<byte[]> inputs = [[.. Enumerable.Range(0, 256).Select(b => (byte)b)], []];
        for (var i = 0; i < 10_000; i++)
        {
            var bytes = new byte[i % 3 == 0 ? 32 : random.Next(1, 65)];
            random.NextBytes(bytes);
            inputs.Add(bytes);
        }

        foreach (var bytes in inputs)
        {
            var ascii = new byte[2 * bytes.Length];
            TokenHex.Write(bytes, ascii);
            System.Text.Encoding.ASCII.GetString(ascii).Should().Be(Convert.ToHexStringLower(bytes));
        }
    }

    [Fact]
    public void Leaves_the_bytes_after_the_digits_untouched()
    {
        var ascii = Enumerable.Repeat((byte)'#', 10).ToArray();
        TokenHex.Write([0xAB, 0x01], ascii);
        System.Text.Encoding.ASCII.GetString(ascii).Should().Be("ab01######");
    }
}
