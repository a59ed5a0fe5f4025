using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;
using DataHub.Seeds;

namespace DataHub.Core.Tests.Seeds;

public sealed class GeneratorTests
{
    private static readonly Lazy<SyntheticDataset> Default = new(() => SyntheticHub.Generate());

    internal static SyntheticDataset Dataset => Default.Value;

    [Fact]
    public void Same_seed_gives_identical_bytes_and_another_seed_differs()
    {
        var again = SyntheticHub.Generate();
        again.Files.Select(f => f.LandingPath).Should().Equal(Dataset.Files.Select(f => f.LandingPath));
        for (var i = 0; i < again.Files.Count; i++)
        {
            again.Files[i].Content.Should().Equal(Dataset.Files[i].Content, again.Files[i].LandingPath);
        }

        var other = SyntheticHub.Generate(new SeedOptions { Seed = 7 });
        other.Files.First(f => f.Feed == "csc-people").Content.Should().NotEqual(Dataset.Files.First(f => f.Feed == "csc-people").Content);
    }

    [Fact]
    public void Every_feed_has_files_from_its_demo_partner()
    {
        foreach (var (partner, feeds) in Partners.All)
        {
            foreach (var feed in feeds)
            {
                Dataset.FilesOf(feed).Should().NotBeEmpty(feed).And.OnlyContain(f => f.Partner == partner);
            }
        }

        Dataset.Files.Select(f => f.Feed).Distinct().Should().HaveCount(10);
        Dataset.FilesOf("school-attendance").Should().OnlyContain(f => f.FileName.EndsWith(".xlsx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_generated_row_passes_its_contract()
    {
        foreach (var file in Dataset.Files)
        {
            using var reader = FeedReader.Open(new MemoryStream(file.Content), file.FileName, FeedCatalog.Find(file.Feed)!);
            reader.FileErrors.Should().BeEmpty(file.LandingPath);
            reader.UnknownColumns.Should().BeEmpty(file.LandingPath);
            var rows = 0;
            await foreach (var row in reader.ReadRowsAsync())
            {
                row.Errors.Should().BeNull($"{file.LandingPath} line {row.Line}: {string.Join("; ", row.Errors?.Select(e => e.Rule + " " + e.Message) ?? [])}");
                rows++;
            }

            rows.Should().BeGreaterThan(0, file.LandingPath);
        }
    }

    [Fact]
    public void Partners_write_in_different_encodings_and_date_forms()
    {
        var police = Dataset.FilesOf("police-da-incidents").Single().Content;
        police[..3].Should().Equal(0xEF, 0xBB, 0xBF);
        Encoding.UTF8.GetString(police).Should().StartWith("\uFEFFIncident Id,Incident Date");
        var da = Dataset.FilesOf("da-programmes").Single().Content;
        System.Text.Unicode.Utf8.IsValid(da).Should().BeFalse("the DA provider writes Windows-1252 with accented names");
    }

    [Fact]
    public void Default_size_is_about_sixty_families()
    {
        var cohort = Dataset.People.Where(p => p.InCohort).ToArray();
        cohort.SelectMany(p => p.FamilyKeys).Distinct().Should().HaveCount(60);
        cohort.Length.Should().BeInRange(150, 350);
        Dataset.People.Should().Contain(p => !p.InCohort);
    }

    [Fact]
    public void Committed_samples_are_what_the_generator_makes()
    {
        var folder = Path.Combine(DataHub.Testing.RepoPaths.Root, "seeds", "samples");
        var samples = Samples.Generate();
        samples.Select(f => f.Feed).Should().OnlyHaveUniqueItems().And.HaveCount(10);
        foreach (var file in samples)
        {
            var path = Path.Combine(folder, file.Partner, file.Feed, file.FileName);
            File.Exists(path).Should().BeTrue($"{path} is missing: run `dotnet run --project seeds/DataHub.Seeds.Cli -- samples seeds/samples`");
            File.ReadAllBytes(path).Should().Equal(file.Content, $"{file.LandingPath} is stale: regenerate the samples (seeds/README.md)");
        }
    }
}
