namespace DataHub.Seeds;

/// <summary>The small sample set committed under seeds/samples/ so people can look at what partners send.</summary>
public static class Samples
{
    /// <summary>The number of families in the sample set.</summary>
    public const int Families = 12;

    /// <summary>The sample files: the first file of each feed from a 12-family dataset.</summary>
    public static IReadOnlyList<SyntheticFile> Generate(int seed = SyntheticHub.DefaultSeed) =>
        SyntheticHub.Generate(new SeedOptions { Seed = seed, Families = Families, GroundTruth = false })
            .Files.GroupBy(f => f.Feed).Select(g => g.First()).ToArray();

    /// <summary>Writes the sample files as <c>{directory}/{partner}/{feed}/{fileName}</c>; returns the relative paths.</summary>
    public static IReadOnlyList<string> Write(string directory, int seed = SyntheticHub.DefaultSeed)
    {
        var written = new List<string>();
        foreach (var file in Generate(seed))
        {
            var path = Path.Combine(directory, file.Partner, file.Feed, file.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
            written.Add(file.LandingPath);
        }

        return written;
    }
}
