using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;
using DataHub.Core.Validation;
using DataHub.Seeds;

namespace DataHub.Core.Tests.Seeds;

/// <summary>The benchmark's partner-like police extract holds what it claims, and the feed reader sees exactly that.</summary>
public sealed class PartnerLikeExtractTests
{
    private static readonly Lazy<(byte[] Bytes, PartnerLikeExtract Summary)> Extract = new(() =>
    {
        using var output = new MemoryStream();
        var summary = PartnerLikeExtracts.WritePoliceIncidentsCsv(output, 30_000, seed: 5);
        return (output.ToArray(), summary);
    });

    [Fact]
    public void The_same_seed_writes_the_same_bytes()
    {
        using var again = new MemoryStream();
        PartnerLikeExtracts.WritePoliceIncidentsCsv(again, 30_000, seed: 5).Should().Be(Extract.Value.Summary);
        again.ToArray().Should().Equal(Extract.Value.Bytes);
    }

    [Fact]
    public void Names_and_dates_of_birth_are_written_as_partners_write_them()
    {
        var text = Encoding.UTF8.GetString(Extract.Value.Bytes);
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..].Select(l => l.Split(',')).Where(c => c.Length == 9).ToList();
        double Share(Func<string[], bool> test) => rows.Count(test) / (double)rows.Count;

        Share(r => r[3].Any(c => c > 127) || r[4].Any(c => c > 127)).Should().BeInRange(0.005, 0.2, "some names carry accents");
        Share(r => r[4].Contains('\'')).Should().BeGreaterThan(0.003, "O'Brien, D'Souza");
        Share(r => r[3].Contains('-') || r[4].Contains('-')).Should().BeGreaterThan(0.001, "Mary-Jane, Lloyd-Davies");
        Share(r => r[4].StartsWith("Mc", StringComparison.OrdinalIgnoreCase) || r[4].StartsWith("Mac", StringComparison.OrdinalIgnoreCase)).Should().BeGreaterThan(0.002);
        Share(r => r[4] == "Smith").Should().BeInRange(0.005, 0.03, "the commonest surname is about 1% of people");
        Share(r => r[4].Length > 1 && r[4] == r[4].ToUpperInvariant()).Should().BeInRange(0.08, 0.25, "some systems write names in capitals");
        Share(r => r[5].Length == 10 && r[5][2] == '/').Should().BeInRange(0.6, 0.8, "dd/mm/yyyy");
        Share(r => r[5].Length == 10 && r[5][4] == '-').Should().BeInRange(0.1, 0.2, "yyyy-mm-dd");
        Share(r => r[5].Length is >= 8 and < 10 && r[5].Contains('/')).Should().BeInRange(0.05, 0.2, "d/m/yyyy");
        text.Should().StartWith("\uFEFFIncident Id,Incident Date,");
    }

    [Fact]
    public async Task The_reader_rejects_exactly_the_invalid_and_repeated_rows()
    {
        var (bytes, summary) = Extract.Value;
        summary.Rows.Should().Be(30_000);
        (summary.Invalid / (double)summary.Rows).Should().BeInRange(0.005, 0.015);
        (summary.Duplicates / (double)summary.Rows).Should().BeInRange(0.002, 0.01);

        using var reader = FeedReader.Open(new MemoryStream(bytes), "incidents.csv", FeedCatalog.Find(FeedCatalog.PoliceDaIncidents)!);
        long valid = 0, rejected = 0, repeats = 0;
        var rules = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var result in reader.ReadRowsAsync())
        {
            if (result.IsValid)
            {
                valid++;
                continue;
            }

            rejected++;
            repeats += result.Errors!.Any(e => e.Rule == Rules.RowDuplicate) ? 1 : 0;
            rules.UnionWith(result.Errors!.Select(e => e.Rule));
        }

        reader.FileErrors.Should().BeEmpty();
        valid.Should().Be(summary.Valid);
        repeats.Should().Be(summary.Duplicates);
        rejected.Should().Be(summary.Invalid + summary.Duplicates);
        rules.Should().Contain([Rules.ValueRequired, Rules.DateImpossible, Rules.DateFormat, Rules.DateExcelSerial, Rules.CodeUnknown, Rules.RowColumns]);
    }
}
