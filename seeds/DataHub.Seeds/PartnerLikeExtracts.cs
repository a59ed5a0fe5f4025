using System.Globalization;
using System.Text;

namespace DataHub.Seeds;

/// <summary>What a partner-like extract holds besides clean rows, so a reader of it knows what to expect.</summary>
/// <param name="Rows">Data rows written (the header not counted).</param>
/// <param name="Invalid">Rows written to break one rule each (about 1%).</param>
/// <param name="Duplicates">Rows that repeat the row before them exactly (about 0.5%).</param>
public sealed record PartnerLikeExtract(long Rows, long Invalid, long Duplicates)
{
    /// <summary>The rows a correct ingest keeps: every row that is neither invalid nor a repeat.</summary>
    public long Valid => Rows - Invalid - Duplicates;
}

/// <summary>
/// Benchmark-sized extracts that look like what partners send rather than what a generator finds easy: names drawn with
/// realistic frequency (accents, apostrophes, hyphens, Mc/Mac/O', written in upper case or without their accents by some
/// systems), dates of birth as dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd, exact repeated rows, and about 1% invalid rows.
/// Streams like <see cref="LargeExtracts"/>: a 5M-row file costs no more memory here than a small one.
/// </summary>
/// <remarks>Every police field is required, so its blanks are among the invalid rows (a blank date of birth, sex or surname).</remarks>
public static class PartnerLikeExtracts
{
    private static readonly string[] Defects =
    [
        "blank_dob", "blank_dob", "blank_dob", "impossible_dob", "two_digit_year", "two_digit_year", "blank_sex", "sex_x",
        "role_witness", "blank_surname", "excel_serial_date", "short_row",
    ];

    /// <summary>Writes a police-da-incidents CSV as a force's records system exports it (UTF-8 with BOM, "Title Case"
    /// headers, CRLF, UK incident dates) with <paramref name="rows"/> data rows about a pool of people that grows with them.</summary>
    public static PartnerLikeExtract WritePoliceIncidentsCsv(Stream output, int rows, int seed = SyntheticHub.DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var random = Streams.For(seed, "partner-like-police");
        var people = new PersonPool(random, Math.Clamp(rows / 3, 100, 1_000_000));
        var days = World.DataEnd.DayNumber - World.DataStart.DayNumber + 1;
        var incidentDates = Enumerable.Range(0, days).Select(d => World.DataStart.AddDays(d).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)).ToArray();

        using var writer = new StreamWriter(output, new UTF8Encoding(true), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine("Incident Id,Incident Date,Role,Forename,Surname,Date Of Birth,Sex,Crime,Marac Referral");
        var line = new StringBuilder(128);
        long written = 0, invalid = 0, duplicates = 0, incident = 0;
        while (written < rows)
        {
            incident++;
            var date = random.Next(days);
            var roles = random.Chance(0.1) ? 3 : 2;
            for (var r = 0; r < roles && written < rows; r++)
            {
                var role = r switch { 0 => "victim", 1 => "perpetrator", _ => "other" };
                var person = people.Draw(random, female: r == 0 ? random.Chance(0.75) : random.Chance(0.2));
                var defect = random.Chance(0.01) ? random.Pick(Defects) : null;
                line.Clear();
                Row(line, random, people, person, role, incident, incidentDates[date], defect);
                writer.Write(line);
                written++;
                if (defect is not null)
                {
                    invalid++;
                }
                else if (written < rows && random.Chance(0.005))
                {
                    // An export that wrote the same record twice.
                    writer.Write(line);
                    written++;
                    duplicates++;
                }
            }
        }

        return new PartnerLikeExtract(written, invalid, duplicates);
    }

    private static void Row(StringBuilder line, Random random, PersonPool people, int person, string role, long incident, string incidentDate, string? defect)
    {
        line.Append("DA").Append(incidentDate.AsSpan(6, 4)).Append('-').Append(incident.ToString("D7", CultureInfo.InvariantCulture)).Append(',');
        // An incident date left as the spreadsheet's day number when someone re-saved the export from Excel.
        line.Append(defect == "excel_serial_date" ? ExcelSerial(incidentDate) : incidentDate).Append(',');
        line.Append(defect == "role_witness" ? "witness" : random.Chance(0.2) ? char.ToUpperInvariant(role[0]) + role[1..] : role).Append(',');
        line.Append(Written(people.Forename(person), random)).Append(',');
        line.Append(defect == "blank_surname" ? "" : Written(people.Surname(person), random)).Append(',');
        var dob = people.DateOfBirth(person);
        line.Append(defect switch
        {
            "blank_dob" => "",
            "impossible_dob" => $"30/02/{dob.Year}",
            "two_digit_year" => dob.ToString("dd/MM/yy", CultureInfo.InvariantCulture),
            _ => random.NextDouble() switch
            {
                < 0.70 => dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
                < 0.85 => dob.ToString("d/M/yyyy", CultureInfo.InvariantCulture),
                _ => dob.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
        }).Append(',');
        line.Append(defect switch { "blank_sex" => "", "sex_x" => "X", _ => people.IsFemale(person) ? "F" : "M" }).Append(',');
        line.Append(random.Chance(0.4) ? 'Y' : 'N');
        line.Append(defect == "short_row" ? "\r\n" : random.Chance(0.05) ? ",Y\r\n" : ",N\r\n");
    }

    private static string ExcelSerial(string ukDate) =>
        (DateOnly.ParseExact(ukDate, "dd/MM/yyyy", CultureInfo.InvariantCulture).DayNumber - new DateOnly(1899, 12, 30).DayNumber).ToString(CultureInfo.InvariantCulture);

    /// <summary>A name as one of the partner's systems writes it: mostly as given, some in capitals, some without accents or with stray spaces.</summary>
    private static string Written(string name, Random random) => random.NextDouble() switch
    {
        < 0.78 => name,
        < 0.93 => name.ToUpperInvariant(),
        < 0.95 => name.ToLowerInvariant(),
        < 0.98 => WithoutAccents(name),
        _ => " " + name + " ",
    };

    private static string WithoutAccents(string name)
    {
        const string accented = "áàâäãåāéèêëēíìîïīóòôöõøōúùûüūñçłśźżńćřşğıÁÉÍÓÚŁŚŻÖÜ";
        const string plain = "aaaaaaaeeeeeiiiiiooooooouuuuunclszzncrsgiAEIOULSZOU";
        return string.Create(name.Length, name, (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var at = accented.IndexOf(source[i], StringComparison.Ordinal);
                span[i] = at >= 0 ? plain[at] : source[i];
            }
        });
    }

    /// <summary>The people an extract is about, kept as small numbers so a pool of a million costs a few MB.</summary>
    private sealed class PersonPool
    {
        private static readonly DateOnly FirstBirth = new(1935, 1, 1);
        private readonly short[] _forenames;
        private readonly short[] _surnames;
        private readonly int[] _births;
        private readonly bool[] _female;
        private readonly int[][] _bySex;

        public PersonPool(Random random, int size)
        {
            _forenames = new short[size];
            _surnames = new short[size];
            _births = new int[size];
            _female = new bool[size];
            var birthDays = new DateOnly(2004, 12, 31).DayNumber - FirstBirth.DayNumber + 1;
            for (var i = 0; i < size; i++)
            {
                _female[i] = random.Chance(0.5);
                _forenames[i] = (short)(_female[i] ? NameFrequencies.Female : NameFrequencies.Male).Draw(random);
                _surnames[i] = (short)NameFrequencies.Surnames.Draw(random);
                _births[i] = random.Next(birthDays);
            }

            _bySex = [[.. Enumerable.Range(0, size).Where(i => !_female[i])], [.. Enumerable.Range(0, size).Where(i => _female[i])]];
        }

        public int Draw(Random random, bool female) => random.Pick(_bySex[female ? 1 : 0]);

        public bool IsFemale(int person) => _female[person];

        public string Forename(int person) => (_female[person] ? NameFrequencies.Female : NameFrequencies.Male)[_forenames[person]];

        public string Surname(int person) => NameFrequencies.Surnames[_surnames[person]];

        public DateOnly DateOfBirth(int person) => FirstBirth.AddDays(_births[person]);
    }
}
