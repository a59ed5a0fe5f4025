using System.Globalization;
using System.Text;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>A partner's free text is stored as written, so an identifier planted in it (an NHS number, the person's own
/// name or date of birth in an incident id, as a case system might write them) refuses its row, and is then nowhere in what the hub writes.</summary>
public sealed class FreeTextIdentifierTests : IDisposable
{
    private const string Nhs = "9434765919";
    private readonly HubRoot _root = new();

    public FreeTextIdentifierTests() => _root.RunAsync("key", "init").GetAwaiter().GetResult();

    public void Dispose() => _root.Dispose();

    // A clean seeded police extract (the contract's header, ISO dates), with each chosen data row's incident id replaced by
    // what the function makes of the row's cells; line numbers count the header as line 1.
    private static (string Csv, List<string> Planted) PoliceExtract(int rows, IReadOnlyDictionary<int, Func<string[], string>> plants)
    {
        using var output = new MemoryStream();
        LargeExtracts.WritePoliceIncidentsCsv(output, rows, seed: 11);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var planted = new List<string>();
        foreach (var (line, plant) in plants)
        {
            var cells = lines[line - 1].Split(',');
            cells[0] = plant(cells);
            planted.Add(cells[0]);
            lines[line - 1] = string.Join(',', cells);
        }

        return (string.Join('\n', lines) + "\n", planted);
    }

    // "SMITH JANE 04/05/2011": the row's own surname, forename and date of birth as a case system might write them.
    private static string NameAndBirth(string[] cells) =>
        $"{cells[4].ToUpperInvariant()} {cells[3].ToUpperInvariant()} {DateOnly.ParseExact(cells[5], "yyyy-MM-dd", CultureInfo.InvariantCulture):dd/MM/yyyy}";

    // 943 476 5919 as a Japanese or Chinese input method types it, in full-width digits.
    private const string FullWidthNhs = "\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19";

    private static DateOnly BirthDate(string[] cells) => DateOnly.ParseExact(cells[5], "yyyy-MM-dd", CultureInfo.InvariantCulture);

    // Every file the hub wrote of its own (marts, audit, logs, receipts, reports), not the partner's file it keeps as sent.
    private List<string> FilesHolding(IEnumerable<string> values, out int scanned)
    {
        var files = new[] { "secure", "audit", "logs", "receipts", "anchors", "published", "quarantine", "landing" }
            .SelectMany(_root.Files)
            .Where(f => !f.StartsWith("landing/", StringComparison.Ordinal) && (!f.StartsWith("quarantine/", StringComparison.Ordinal) || f.Contains(".report.", StringComparison.Ordinal)))
            .ToList();
        scanned = files.Count;
        return [.. files.Where(f => values.Any(v => Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(_root.Path, f))).Contains(v, StringComparison.Ordinal)))];
    }

    [Fact]
    public async Task An_nhs_number_or_the_persons_name_and_birth_date_in_an_incident_id_in_any_digits_or_year_refuses_the_row_and_is_written_nowhere()
    {
        var (csv, planted) = PoliceExtract(200, new Dictionary<int, Func<string[], string>>
        {
            [21] = _ => "943 476 5919",
            [61] = NameAndBirth,
            [121] = cells => "DA-" + Nhs + "-" + cells[0],
            [141] = cells => $"DA {DateOnly.ParseExact(cells[5], "yyyy-MM-dd", CultureInfo.InvariantCulture):dd-MM-yyyy}",
            [161] = _ => "NHS" + Nhs,
            [81] = _ => FullWidthNhs,
            [101] = cells => $"DA {BirthDate(cells):dd/MM/yy}",
            // A zero-width space pasted inside a digit group; a date in the birth month written month first, as a US system
            // writes it, on the 25th, so that only the month-first reading is a date.
            [181] = _ => "DA 9434\u200b765919",
            [41] = cells => $"DOB {BirthDate(cells).AddDays(25 - BirthDate(cells).Day):MM/dd/yyyy}",
        });
        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "incidents.csv", csv);

        code.Should().Be(ExitCodes.Ok, "nine rows of 200 are within the agreement's 5% tolerance");
        output.Should().Contain("StoredWithRowErrors");
        var report = _root.Files("quarantine").Single(f => f.Contains("/row-errors/", StringComparison.Ordinal) && f.EndsWith(".report.csv", StringComparison.Ordinal));
        var errors = _root.Text(report).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[..3]).ToList();
        errors.Should().BeEquivalentTo(new[]
        {
            new[] { "21", "incident_id", "text.identifier" },
            new[] { "61", "incident_id", "text.identifier" },
            new[] { "121", "incident_id", "text.identifier" },
            new[] { "141", "incident_id", "text.identifier" },
            new[] { "161", "incident_id", "text.identifier" },
            new[] { "81", "incident_id", "text.identifier" },
            new[] { "101", "incident_id", "text.identifier" },
            new[] { "181", "incident_id", "text.identifier" },
            new[] { "41", "incident_id", "text.identifier" },
        });

        var mart = await MartFiles.RowsAsync(Path.Combine(_root.Path, "secure", "police-da-incidents", "*", "*.parquet"));
        mart.Should().HaveCount(191);
        mart.Select(r => r["source_line"].Text()).Should().NotContain(["21", "41", "61", "81", "101", "121", "141", "161", "181"]);

        // The two-digit-year birth date on its own as well as in its incident id.
        var birth = BirthDate(csv.Split('\n')[100].Split(',')).ToString("dd/MM/yy", CultureInfo.InvariantCulture);

        // The month-first date planted on line 41 on its own, as the mart or a report might hold it without the DOB before it.
        var monthFirst = planted[^1]["DOB ".Length..];
        monthFirst.Should().MatchRegex("^[0-9]{2}/25/[0-9]{4}$");
        var leaks = FilesHolding([.. planted, Nhs, birth, monthFirst], out var scanned);
        scanned.Should().BeGreaterThan(5);
        leaks.Should().BeEmpty("the report, the audit, the logs and the mart name the rule, line and column, never the value");
        planted.Where(v => output.Contains(v, StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_file_whose_incident_ids_carry_the_incidents_own_date_year_first_or_the_next_day_is_stored_whole()
    {
        // As a force's system may build its references: the incident's date year first with a two-digit year (DA 17-06-01 0002),
        // or the log's, dated the next day (Log 0003 of 02/06/17). Either is the row's own date: refusing them refused every
        // row, and so the whole file above the tolerance.
        static DateOnly Incident(string[] cells) => DateOnly.ParseExact(cells[1], "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (csv, planted) = PoliceExtract(40, Enumerable.Range(2, 40).ToDictionary(line => line, line => (Func<string[], string>)(cells => line % 2 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"DA {Incident(cells):yy-MM-dd} {line:D4}")
            : string.Create(CultureInfo.InvariantCulture, $"Log {line:D4} of {Incident(cells).AddDays(1):dd/MM/yy}"))));
        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "dated-ids.csv", csv);

        code.Should().Be(ExitCodes.Ok);
        output.Should().NotContain("StoredWithRowErrors");
        _root.Files("quarantine").Should().BeEmpty();
        var mart = await MartFiles.RowsAsync(Path.Combine(_root.Path, "secure", "police-da-incidents", "*", "*.parquet"));
        mart.Should().HaveCount(40);
        planted.Should().HaveCount(40);
    }

    [Fact]
    public async Task A_file_whose_every_incident_id_carries_the_persons_surname_is_quarantined_above_the_tolerance()
    {
        var (csv, planted) = PoliceExtract(40, Enumerable.Range(2, 40).ToDictionary(line => line, line => (Func<string[], string>)(cells => $"{cells[4].ToUpperInvariant()}-{line}")));
        var (code, _) = await _root.IngestAsync("police", "police-da-incidents", "surnames.csv", csv);

        code.Should().Be(ExitCodes.Rejected);
        _root.Files("secure").Should().BeEmpty("no row of a file above the tolerance is stored");
        var report = _root.Files("quarantine").Single(f => f.EndsWith(".report.json", StringComparison.Ordinal));
        _root.Text(report).Should().Contain("\"rows.above_tolerance\"").And.Contain("\"text.identifier\"");
        FilesHolding(planted, out _).Should().BeEmpty();
    }
}
