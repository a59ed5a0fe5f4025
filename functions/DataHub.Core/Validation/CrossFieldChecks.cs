using System.Globalization;
using DataHub.Core.Feeds;

namespace DataHub.Core.Validation;

/// <summary>The checks that compare fields of one row: end dates not before start dates, sessions that add up,
/// scores within their instrument's range, consistent aggregate counts, quarter labels, a cohort person's real date of birth.</summary>
public sealed class CrossFieldChecks
{
    private readonly FeedContract contract;
    private readonly List<(int Start, int End)> dateOrders = [];
    private readonly int possible = -1, authorised = -1, unauthorised = -1;
    private readonly int instrument = -1, score = -1;
    private readonly int quarter = -1, cohortPeople = -1, peopleWithEvent = -1, events = -1;
    private readonly int closureDate = -1, closureReason = -1;
    private readonly int cohortDateOfBirth = -1;

    /// <summary>Resolves the fields the feed's checks compare.</summary>
    public CrossFieldChecks(FeedContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        this.contract = contract;
        Order("fs_start_date", "fs_end_date");
        Order("referral_start_date", "referral_end_date");
        Order("start_date", "end_date");
        Order("period_start", "period_end");
        Order("assessment_date", "closure_date");
        Order("treatment_start_date", "closure_date");
        possible = IndexOf("possible_sessions");
        authorised = IndexOf("authorised_absence_sessions");
        unauthorised = IndexOf("unauthorised_absence_sessions");
        instrument = IndexOf("instrument");
        score = IndexOf("score");
        quarter = contract.QuarterField is null ? IndexOf("quarter") : -1;
        cohortPeople = IndexOf("cohort_people");
        peopleWithEvent = IndexOf("people_with_event");
        events = IndexOf("events");
        closureDate = IndexOf("closure_date");
        closureReason = IndexOf("closure_reason");
        // The cohort feed's dates of birth place its people in age groups (child or adult, school age), so there a placeholder
        // cannot stand for one; elsewhere it is stored as unknown (RowTokeniser.BirthToStore) and the row kept.
        cohortDateOfBirth = contract.Name == FeedCatalog.CscPeople ? contract.Fields.ToList().FindIndex(f => f.Identity == IdentityPart.DateOfBirth) : -1;
    }

    /// <summary>The score range of each mental health instrument.</summary>
    public static IReadOnlyDictionary<string, (int Min, int Max)> InstrumentRanges { get; } =
        new Dictionary<string, (int, int)>(StringComparer.Ordinal) { ["PHQ9"] = (0, 27), ["GAD7"] = (0, 21) };

    /// <summary>Checks one row's parsed values (null where absent or invalid), adding any errors; may normalise a quarter label in place.</summary>
    public void Check(object?[] values, long line, List<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var (start, end) in dateOrders)
        {
            if (values[start] is DateOnly from && values[end] is DateOnly to && to < from)
            {
                errors.Add(new RowError(line, Name(end), Rules.DatesOrder, $"{Name(end)} is before {Name(start)}."));
            }
        }

        if (possible >= 0 && values[possible] is int p && values[authorised] is int a && values[unauthorised] is int u && (long)a + u > p)
        {
            errors.Add(new RowError(line, Name(possible), Rules.SessionsSum, string.Create(CultureInfo.InvariantCulture,
                $"authorised plus unauthorised absence sessions exceed possible sessions.")));
        }

        if (score >= 0 && values[instrument] is string name && values[score] is int s
            && InstrumentRanges.TryGetValue(name, out var range) && (s < range.Min || s > range.Max))
        {
            errors.Add(new RowError(line, Name(score), Rules.ScoreRange, string.Create(CultureInfo.InvariantCulture,
                $"score is outside the {name} range {range.Min}–{range.Max}.")));
        }

        if (quarter >= 0 && values[quarter] is string label)
        {
            if (TryNormaliseQuarter(label, out var normalised))
            {
                values[quarter] = normalised;
            }
            else
            {
                errors.Add(new RowError(line, Name(quarter), Rules.QuarterFormat, "quarter must be a year and quarter like 2018Q1."));
            }
        }

        if (peopleWithEvent >= 0 && values[peopleWithEvent] is int withEvent)
        {
            if (values[cohortPeople] is int people && withEvent > people)
            {
                errors.Add(new RowError(line, Name(peopleWithEvent), Rules.CountsOrder, string.Create(CultureInfo.InvariantCulture,
                    $"people_with_event exceeds cohort_people.")));
            }

            if (events >= 0 && values[events] is int count && count < withEvent)
            {
                errors.Add(new RowError(line, Name(events), Rules.CountsOrder, string.Create(CultureInfo.InvariantCulture,
                    $"events is fewer than people_with_event.")));
            }
        }

        if (cohortDateOfBirth >= 0 && values[cohortDateOfBirth] is DateOnly born && Pseudonymisation.PlaceholderIdentities.IsDateOfBirth(born))
        {
            errors.Add(new RowError(line, Name(cohortDateOfBirth), Rules.DobPlaceholder,
                "date_of_birth is a placeholder systems write for an unknown date (such as 1 January 1900); the cohort's people are placed in age groups by it, so send the person's real date of birth."));
        }

        if (closureReason >= 0 && values[closureReason] is not null && values[closureDate] is null)
        {
            errors.Add(new RowError(line, Name(closureReason), Rules.ClosureReasonWithoutDate, "closure_reason is given but closure_date is empty."));
        }
    }

    /// <summary>Parses a quarter label like 2018Q1 (any case, optional space or hyphen) to its canonical form.</summary>
    public static bool TryNormaliseQuarter(string label, out string quarter)
    {
        ArgumentNullException.ThrowIfNull(label);
        quarter = string.Empty;
        var compact = HeaderMatcher.Normalise(label);
        if (compact.Length != 6 || compact[4] != 'q' || compact[5] is < '1' or > '4'
            || !int.TryParse(compact.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || year is < DateText.MinYear or > DateText.MaxYear)
        {
            return false;
        }

        quarter = string.Concat(compact.AsSpan(0, 4), "Q", compact.AsSpan(5, 1));
        return true;
    }

    private void Order(string start, string end)
    {
        var from = IndexOf(start);
        var to = IndexOf(end);
        if (from >= 0 && to >= 0)
        {
            dateOrders.Add((from, to));
        }
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < contract.Fields.Count; i++)
        {
            if (contract.Fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private string Name(int index) => contract.Fields[index].Name;
}
