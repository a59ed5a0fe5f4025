using System.Globalization;
using System.Text;
using DataHub.Core.Feeds;

namespace DataHub.Seeds;

/// <summary>Streaming writers for benchmark-sized extracts: rows are formatted straight to the stream from small cached
/// pieces, so a 5M-row file costs no more memory than a 1,000-row one.</summary>
public static class LargeExtracts
{
    /// <summary>Writes a valid <c>police-da-incidents</c> CSV (UTF-8, ISO dates, Y/N) with <paramref name="rows"/> data rows
    /// about a pool of people that grows with the row count (so names and dates of birth repeat as in real data).</summary>
    public static void WritePoliceIncidentsCsv(Stream output, int rows, int seed = SyntheticHub.DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var random = Streams.For(seed, "large-police");

        // The pool is kept as small numbers (name indexes, day offsets) so even a 5M-row file needs only a few MB here.
        var pool = Math.Clamp(rows / 4, 100, 500_000);
        var firstBirth = new DateOnly(1950, 1, 1);
        var birthDays = new DateOnly(2004, 12, 31).DayNumber - firstBirth.DayNumber + 1;
        var births = Enumerable.Range(0, birthDays).Select(d => firstBirth.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
        var forenames = new short[pool];
        var surnames = new short[pool];
        var birth = new int[pool];
        var female = new bool[pool];
        for (var i = 0; i < pool; i++)
        {
            female[i] = random.Chance(0.55);
            forenames[i] = (short)random.Next((female[i] ? Names.Female : Names.Male).Length);
            surnames[i] = (short)random.Next(Names.Surnames.Length);
            birth[i] = random.Next(birthDays);
        }

        var days = World.DataEnd.DayNumber - World.DataStart.DayNumber + 1;
        var dates = Enumerable.Range(0, days).Select(d => World.DataStart.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
        string[] roles = ["victim", "perpetrator", "other"];
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(string.Join(",", FeedCatalog.Find(FeedCatalog.PoliceDaIncidents)!.Fields.Select(f => f.Name)));
        Span<char> number = stackalloc char[16];
        for (var row = 0; row < rows; row++)
        {
            var person = random.Next(pool);
            writer.Write("DA");
            row.TryFormat(number, out var length, "D8", CultureInfo.InvariantCulture);
            writer.Write(number[..length]);
            writer.Write(',');
            writer.Write(dates[random.Next(days)]);
            writer.Write(',');
            writer.Write(roles[random.Next(10) switch { < 5 => 0, < 9 => 1, _ => 2 }]);
            writer.Write(',');
            writer.Write((female[person] ? Names.Female : Names.Male)[forenames[person]]);
            writer.Write(',');
            writer.Write(Names.Surnames[surnames[person]]);
            writer.Write(',');
            writer.Write(births[birth[person]]);
            writer.Write(female[person] ? ",F" : ",M");
            writer.Write(random.Next(10) < 4 ? ",Y" : ",N");
            writer.Write(random.Next(20) == 0 ? ",Y\n" : ",N\n");
        }
    }
}
