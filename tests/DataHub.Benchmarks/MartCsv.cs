using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DataHub.Benchmarks;

/// <summary>The Parquet benchmark's mart-like CSV as raw UTF-8 lines and fields, shared by every writer it measures.</summary>
internal static class MartCsv
{
    /// <summary>The data lines (header skipped), without their newline; each one is valid only until the next is read.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Lines(string csv)
    {
        using var input = new FileStream(csv, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        var filled = 0;
        var header = true;
        while (true)
        {
            var read = input.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var consumed = 0;
            while (buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n') is var newline and >= 0)
            {
                var line = new ReadOnlyMemory<byte>(buffer, consumed, newline);
                consumed += newline + 1;
                if (header)
                {
                    header = false;
                    continue;
                }

                yield return line;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            if (read == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Cuts the next comma-separated field off <paramref name="line"/> (empty for a null).</summary>
    public static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> line)
    {
        var comma = line.IndexOf((byte)',');
        var field = comma < 0 ? line : line[..comma];
        line = comma < 0 ? default : line[(comma + 1)..];
        return field;
    }

    /// <summary>A yyyy-mm-dd field.</summary>
    public static DateOnly Date(ReadOnlySpan<byte> s) =>
        new(((s[0] - '0') * 1000) + ((s[1] - '0') * 100) + ((s[2] - '0') * 10) + (s[3] - '0'), ((s[5] - '0') * 10) + (s[6] - '0'), ((s[8] - '0') * 10) + (s[9] - '0'));

    /// <summary>An integer field.</summary>
    public static int Int(ReadOnlySpan<byte> s) => Utf8Parser.TryParse(s, out int number, out _) ? number : throw new FormatException("bad integer");

    /// <summary>Prints a writer child's figures as the JSON line the parent reads: wall and CPU seconds since the start, file size, VmHWM.</summary>
    public static void Report(Stopwatch watch, TimeSpan cpuAtStart, string output)
    {
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { seconds = watch.Elapsed.TotalSeconds, cpuSeconds, allocated = GC.GetTotalAllocatedBytes(), bytes = new FileInfo(output).Length, peakRss = PeakRss() }));
    }

    private static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
