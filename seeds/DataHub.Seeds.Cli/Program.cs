using System.Globalization;
using DataHub.Seeds;

// datahub-seeds: the seeded generator from the command line (see seeds/README.md).
//   samples DIR                                   the small committed sample set (one file per feed)
//   write DIR [--families N] [--seed S] [--attendance terms|half-terms|fortnights|weeks] [--schools-csv]
//   police FILE ROWS [--seed S]                   a large, clean police-da-incidents CSV
//   partner-police FILE ROWS [--seed S]           a large police-da-incidents CSV as partners write it (the ingest benchmark's)
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: datahub-seeds samples DIR | write DIR [--families N] [--seed S] [--attendance PERIOD] [--schools-csv] | police FILE ROWS [--seed S] | partner-police FILE ROWS [--seed S]");
    return 2;
}

var seed = Option("--seed") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : SyntheticHub.DefaultSeed;
switch (args[0])
{
    case "samples":
        var written = Samples.Write(args[1], seed);
        foreach (var path in written)
        {
            Console.WriteLine(path);
        }

        return 0;
    case "write":
        var options = new SeedOptions
        {
            Seed = seed,
            Families = Option("--families") is { } f ? int.Parse(f, CultureInfo.InvariantCulture) : SyntheticHub.DefaultFamilies,
            AttendancePeriods = Option("--attendance") switch
            {
                null or "half-terms" => AttendancePeriods.HalfTerms,
                "terms" => AttendancePeriods.Terms,
                "fortnights" => AttendancePeriods.Fortnights,
                "weeks" => AttendancePeriods.Weeks,
                var other => throw new ArgumentException($"Unknown attendance period '{other}'."),
            },
            SchoolsAsXlsx = !args.Contains("--schools-csv"),
            GroundTruth = false,
        };
        foreach (var (partner, feed, fileName, rows) in SyntheticHub.WriteToDirectory(options, args[1]))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{partner}/{feed}/{fileName}\t{rows} rows"));
        }

        return 0;
    case "police" when args.Length >= 3:
        using (var file = File.Create(args[1]))
        {
            LargeExtracts.WritePoliceIncidentsCsv(file, int.Parse(args[2], CultureInfo.InvariantCulture), seed);
        }

        Console.WriteLine(args[1]);
        return 0;
    case "partner-police" when args.Length >= 3:
        using (var file = File.Create(args[1]))
        {
            var extract = PartnerLikeExtracts.WritePoliceIncidentsCsv(file, int.Parse(args[2], CultureInfo.InvariantCulture), seed);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[1]}\t{extract.Rows} rows, {extract.Invalid} invalid, {extract.Duplicates} repeated"));
        }

        return 0;
    default:
        Console.Error.WriteLine($"Unknown command '{args[0]}'.");
        return 2;
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
