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
        var pool = Math.Clamp(rows / 4, 100, 2_000_000);
        var forenames = new string[pool];
        var surnames = new string[pool];
        var births = new string[pool];
        var sexes = new string[pool];
        for (var i = 0; i < pool; i++)
        {
            var female = random.Chance(0.55);
            forenames[i] = random.Pick(female ? Names.Female : Names.Male);
            surnames[i] = random.Pick(Names.Surnames);
            births[i] = random.Between(new DateOnly(1950, 1, 1), new DateOnly(2004, 12, 31)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            sexes[i] = female ? "F" : "M";
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
            writer.Write(forenames[person]);
            writer.Write(',');
            writer.Write(surnames[person]);
            writer.Write(',');
            writer.Write(births[person]);
            writer.Write(',');
            writer.Write(sexes[person]);
            writer.Write(random.Next(10) < 4 ? ",Y" : ",N");
            writer.Write(random.Next(20) == 0 ? ",Y\n" : ",N\n");
        }
    }
}
