using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Benchmarks;

/// <summary>
/// `hmac [--tokens N] [--rounds R]`: the MACs of N token messages (default 2,000,000, shaped like the ingest's: nhs, upn,
/// name_dob, attributor and local) made by .NET's IncrementalHash one at a time (the reference) and by
/// <see cref="HmacLanes"/> in batches of 64 and of 512; prints µs per MAC and the ratios.
/// </summary>
/// <remarks>Every lanes MAC is first checked against the reference's. Then, timed, each side writes its MACs into one
/// reused buffer, as the ingest does; the sides take turns R times (default 5) and the best round of each is kept: the
/// machine is shared, so the best round is the one least disturbed.</remarks>
internal static class HmacBenchmark
{
    private static readonly int[] BatchSizes = [64, 512];

    public static int Run(string[] args)
    {
        var tokens = IntOption(args, "--tokens", 2_000_000);
        var rounds = IntOption(args, "--rounds", 5);
        var (messages, offsets) = Messages(tokens, seed: 20240521);
        var key = new byte[32];
        new Random(7).NextBytes(key);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"messages: {tokens:N0}, {messages.Length / (double)tokens:F1} bytes on average, {Share(offsets, HmacLanes.MaxLaneMessage):P1} within one block ({HmacLanes.MaxLaneMessage} bytes)"));

        using var lanes = new HmacLanes(key);
        Console.WriteLine($"lanes: {Width(lanes)}");

        // Checked once, untimed: every MAC of every batch size against the reference's.
        var expected = new byte[tokens * 32];
        var actual = new byte[tokens * 32];
        Reference(key, messages, offsets, expected, reuse: false);
        foreach (var batch in BatchSizes)
        {
            Array.Clear(actual);
            Lanes(lanes, batch, messages, offsets, actual, reuse: false);
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                Console.Error.WriteLine($"batch {batch}: a MAC differs from IncrementalHash's");
                return 1;
            }
        }

        // Timed as the ingest uses them: each MAC (or batch of MACs) into one reused buffer.
        var macs = new byte[BatchSizes.Max() * 32];
        var reference = double.MaxValue;
        var best = BatchSizes.ToDictionary(b => b, _ => double.MaxValue);
        for (var round = 0; round < rounds; round++)
        {
            reference = Math.Min(reference, Time(() => Reference(key, messages, offsets, macs, reuse: true)));
            foreach (var batch in BatchSizes)
            {
                best[batch] = Math.Min(best[batch], Time(() => Lanes(lanes, batch, messages, offsets, macs, reuse: true)));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"IncrementalHash (reference): {Micro(reference, tokens):F3} µs/MAC"));
        foreach (var batch in BatchSizes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"HmacLanes, batches of {batch,3}: {Micro(best[batch], tokens):F3} µs/MAC, {reference / best[batch]:F2}x faster"));
        }

        return 0;
    }

    /// <summary>Every MAC by IncrementalHash, each into its own place in <paramref name="macs"/> or, with <paramref name="reuse"/>, all into the first 32 bytes.</summary>
    private static void Reference(byte[] key, byte[] messages, int[] offsets, byte[] macs, bool reuse)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        for (var m = 0; m < offsets.Length - 1; m++)
        {
            hmac.AppendData(messages.AsSpan(offsets[m]..offsets[m + 1]));
            hmac.GetHashAndReset(macs.AsSpan(reuse ? 0 : m * 32, 32));
        }
    }

    /// <summary>Every MAC by <paramref name="lanes"/> in batches, each into its own place in <paramref name="macs"/> or, with <paramref name="reuse"/>, every batch into the start.</summary>
    private static void Lanes(HmacLanes lanes, int batch, byte[] messages, int[] offsets, byte[] macs, bool reuse)
    {
        var count = offsets.Length - 1;
        for (var m = 0; m < count; m += batch)
        {
            var n = Math.Min(batch, count - m);

            // Offsets index the whole buffer, so a batch is just a window of them.
            lanes.Compute(messages, offsets.AsSpan(m, n + 1), macs.AsSpan(reuse ? 0 : m * 32, n * 32));
        }
    }

    /// <summary>Messages as the tokeniser builds them, the five domains in turn, with seeded values.</summary>
    private static (byte[] Messages, int[] Offsets) Messages(int count, int seed)
    {
        string[] surnames = ["SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS", "ROBERTS", "O'CONNOR-BRADSHAW", "MACKENZIE-STUART", "NG", "LI"];
        string[] forenames = ["OLIVIA", "AMELIA", "ISLA", "AVA", "OLIVER", "GEORGE", "NOAH", "ARTHUR", "MUHAMMAD", "LEO", "CHRISTOPHER", "ALEXANDRA", "BO"];
        var random = new Random(seed);
        var text = new StringBuilder();
        var offsets = new int[count + 1];
        var messages = new List<byte>(count * 30);
        for (var m = 0; m < count; m++)
        {
            var dob = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 365 * 70)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            text.Clear();
            _ = (m % 5) switch
            {
                0 => text.Append("nhs|").Append(random.NextInt64(4_000_000_000, 9_999_999_999)),
                1 => text.Append("upn|").Append((char)('A' + random.Next(26))).Append(random.NextInt64(100_000_000_000, 999_999_999_999)).Append((char)('A' + random.Next(26))),
                2 => text.Append("name_dob|").Append(surnames[random.Next(surnames.Length)]).Append('|').Append(forenames[random.Next(forenames.Length)]).Append('|').Append(dob),
                3 => text.Append("attributor|").Append((char)('A' + random.Next(26))).Append((char)('A' + random.Next(26))).Append('|').Append(dob).Append('|').Append("MFUX"[random.Next(4)]),
                _ => text.Append("local|police-north|").Append(random.Next(1, 10_000_000)),
            };
            messages.AddRange(Encoding.UTF8.GetBytes(text.ToString()));
            offsets[m + 1] = messages.Count;
        }

        return (messages.ToArray(), offsets);
    }

    private static double Share(int[] offsets, int limit) =>
        Enumerable.Range(0, offsets.Length - 1).Count(m => offsets[m + 1] - offsets[m] <= limit) / (double)(offsets.Length - 1);

    private static string Width(HmacLanes lanes) => lanes.Lanes switch
    {
        1 => "none (IncrementalHash for every message)",
        var n => $"{n} per vector ({n * 32}-bit)",
    };

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Micro(double seconds, int tokens) => seconds * 1e6 / tokens;

    private static int IntOption(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
