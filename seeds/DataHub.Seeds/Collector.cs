using System.Globalization;
using DataHub.Core.Feeds;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Validation;

namespace DataHub.Seeds;

/// <summary>Gathers, as rows are written, every raw identifying value (for privacy scans) and each row's linkage ground truth.</summary>
/// <remarks>Ground truth follows the linkage rule of docs/linkage.md: the strongest key (nhs, upn, name_dob, attributor) the row shares with the
/// cohort decides; a weak key shared with several cohort people is ambiguous; CSC's own feeds link by the local person id.</remarks>
internal sealed class Collector(bool groundTruth, IReadOnlyDictionary<int, string> cohortPersonIds)
{
    private static readonly string[] KeyOrder = ["nhs", "upn", "name_dob", "attributor"];
    private readonly HashSet<string> identifiers = new(StringComparer.Ordinal);
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly HashSet<string> dates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> cohort = KeyOrder.ToDictionary(k => k, _ => new Dictionary<string, HashSet<string>>(StringComparer.Ordinal));
    private readonly HashSet<string> cohortIds = new(StringComparer.Ordinal);

    public List<RecordTruth> Records { get; } = [];

    public RawValues RawValues() => new(identifiers.Order(StringComparer.Ordinal).ToArray(), names.Order(StringComparer.Ordinal).ToArray(),
        dates.Order(StringComparer.Ordinal).ToArray());

    public void Add(FilePlan plan, GeneratedRow row, long line)
    {
        var contract = FeedCatalog.Find(plan.Feed)!;
        var style = SyntheticHub.Styles[plan.Partner];
        string? nhs = null, upn = null, forename = null, surname = null, foreInitial = null, surInitial = null, sex = null, local = null;
        DateOnly? dob = null;
        var placeholderName = false;
        for (var f = 0; f < contract.Fields.Count; f++)
        {
            var field = contract.Fields[f];
            var cell = row.Cells[f];
            if (cell is null)
            {
                continue;
            }

            var text = CsvFeedWriter.Format(cell, style);
            if (field.Handling != FieldHandling.Stored && text.Length >= 2)
            {
                (field.Identity == IdentityPart.DateOfBirth ? dates : field.Identity is IdentityPart.Forename or IdentityPart.Surname ? names : identifiers).Add(text);
            }

            switch (field.Identity)
            {
                case IdentityPart.NhsNumber when NhsNumber.TryNormalise(text, out var digits):
                    identifiers.Add(digits);
                    nhs = PlaceholderIdentities.IsNhsNumber(digits) ? null : digits;
                    break;
                case IdentityPart.Upn when Upn.TryNormalise(text, out var normalised):
                    upn = normalised;
                    break;
                case IdentityPart.Forename:
                    forename = IdentityNormaliser.FirstForename(text);
                    foreInitial = IdentityNormaliser.Initial(text);
                    placeholderName |= PlaceholderIdentities.IsName(text, forename: true);
                    break;
                case IdentityPart.Surname:
                    surname = IdentityNormaliser.Name(text);
                    surInitial = IdentityNormaliser.Initial(text);
                    placeholderName |= PlaceholderIdentities.IsName(text, forename: false);
                    break;
                case IdentityPart.ForenameInitial:
                    foreInitial = IdentityNormaliser.Initial(text);
                    break;
                case IdentityPart.SurnameInitial:
                    surInitial = IdentityNormaliser.Initial(text);
                    break;
                case IdentityPart.DateOfBirth:
                    var date = (DateOnly)cell;
                    dob = date;
                    dates.Add(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    dates.Add(date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture));
                    break;
                case IdentityPart.Sex:
                    sex = text;
                    break;
                case IdentityPart.LocalId:
                    local = text;
                    break;
            }
        }

        if (!groundTruth || !contract.PersonLevel)
        {
            return;
        }

        // A placeholder name or date of birth identifies no one and makes no key (docs/linkage.md, "Placeholder identities").
        var iso = dob is { } born && !PlaceholderIdentities.IsDateOfBirth(born) ? born.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null;
        if (placeholderName)
        {
            forename = surname = foreInitial = surInitial = null;
        }

        var keys = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["nhs"] = nhs,
            ["upn"] = upn,
            ["name_dob"] = forename is { Length: > 0 } && surname is { Length: > 0 } && iso is not null ? $"{surname}|{forename}|{iso}" : null,
            ["attributor"] = foreInitial is { Length: > 0 } && surInitial is { Length: > 0 } && iso is not null && sex is not null ? $"{foreInitial}{surInitial}|{iso}|{sex}" : null,
        };

        if (plan.Feed == FeedCatalog.CscPeople && local is not null)
        {
            cohortIds.Add(local);
            foreach (var (kind, value) in keys)
            {
                if (value is not null)
                {
                    var index = cohort[kind];
                    if (!index.TryGetValue(value, out var ids))
                    {
                        index[value] = ids = new HashSet<string>(StringComparer.Ordinal);
                    }

                    ids.Add(local);
                }
            }
        }

        var (expected, expectedId) = Expect(plan, keys, local);
        var person = row.PersonIndex;
        Records.Add(new RecordTruth(plan.Feed, plan.FileName, line, person, CohortIdOf(plan, row, local), expected, expectedId));
    }

    private (string Key, string? PersonId) Expect(FilePlan plan, Dictionary<string, string?> keys, string? local)
    {
        // CSC's own feeds carry its person id: the local key links them.
        if (plan.Partner == Partners.Csc && local is not null && cohortIds.Contains(local))
        {
            return ("local", local);
        }

        foreach (var kind in KeyOrder)
        {
            if (keys[kind] is { } value && cohort[kind].TryGetValue(value, out var ids))
            {
                return ids.Count == 1 ? (kind, ids.First()) : ("ambiguous", null);
            }
        }

        return ("none", null);
    }

    private string? CohortIdOf(FilePlan plan, GeneratedRow row, string? local) =>
        plan.Partner == Partners.Csc ? local : cohortPersonIds.GetValueOrDefault(row.PersonIndex);
}
