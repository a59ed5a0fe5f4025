using DataHub.Core.Kpis;

namespace DataHub.Core.Linkage;

/// <summary>Links each feed's mart rows to the cohort as they are read, keeps only linked records in compact form, and counts link quality.</summary>
public sealed class LinkedInputsBuilder
{
    private readonly CohortIndex _cohort;
    private readonly RecentLookups _recent = new();
    private readonly Dictionary<string, LinkQualityTally> _quality = new(StringComparer.Ordinal);
    // A feed may be sent again: each record is kept under its contract's natural key (FeedContract.RecordKey), and a later
    // row with the same key replaces the earlier one (callers add files oldest delivery first, rows in file order).
    private readonly Dictionary<(int Person, string Key), LinkedSpell> _cpPlans = [];
    private readonly Dictionary<(int Person, string Key), LinkedSpell> _claPeriods = [];
    private readonly Dictionary<(int Person, string Key), LinkedIncident> _incidents = [];
    private readonly Dictionary<(string Client, DateOnly Assessment), LinkedEpisode> _episodes = [];
    private readonly Dictionary<(string Client, DateOnly Date, AssessmentStage Stage), LinkedTopsForm> _topsForms = [];
    private readonly AttendancePeriods _attendance = new();
    private readonly Dictionary<(int Person, string Programme, bool Perpetrator, DateOnly Start), LinkedProgramme> _programmes = [];
    private readonly Dictionary<(int Person, string Instrument, AssessmentStage Stage, DateOnly Date), LinkedScore> _scores = [];
    private readonly Dictionary<(string Quarter, string CohortKey, string AgeGroup, string Measure), HealthAggregateRow> _health = [];
    private readonly Dictionary<string, int> _incidentNumbers = new(StringComparer.Ordinal);

    /// <summary>Links to <paramref name="cohort"/>.</summary>
    public LinkedInputsBuilder(CohortIndex cohort)
    {
        _cohort = cohort ?? throw new ArgumentNullException(nameof(cohort));
        Tally("csc-people");
    }

    /// <summary>Counts a csc-people row in link quality: it is the cohort, so it links to itself by its person id.</summary>
    public void AddCohortRow(CscPersonRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _cohort.Link(row.Keys, "csc-people", samePartner: true, Tally("csc-people"));
    }

    /// <summary>Adds a child protection plan (same partner as the cohort: linked by person id first).</summary>
    public void Add(CpPlanRow row, bool samePartner = true)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "csc-cp-plans", samePartner) is { } person)
        {
            _cpPlans[(person, row.PlanKey)] = new LinkedSpell(person, row.StartDate, row.EndDate);
        }
    }

    /// <summary>Adds a period of care.</summary>
    public void Add(ClaPeriodRow row, bool samePartner = true)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "csc-cla-periods", samePartner) is { } person)
        {
            _claPeriods[(person, row.PeriodKey)] = new LinkedSpell(person, row.StartDate, row.EndDate);
        }
    }

    /// <summary>Adds a person's part in a DA incident.</summary>
    public void Add(DaIncidentRow row, bool samePartner = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "police-da-incidents", samePartner) is { } person)
        {
            var role = row.Role switch { "victim" => IncidentRole.Victim, "perpetrator" => IncidentRole.Perpetrator, _ => IncidentRole.Other };
            if (!_incidentNumbers.TryGetValue(row.IncidentId, out var incident))
            {
                incident = _incidentNumbers.Count;
                _incidentNumbers[row.IncidentId] = incident;
            }

            _incidents[(person, row.IncidentId)] = new LinkedIncident(person, incident, row.IncidentDate, role, row.MaracReferral);
        }
    }

    /// <summary>Adds a substance misuse episode.</summary>
    public void Add(SubstanceMisuseEpisodeRow row, bool samePartner = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "substance-misuse-episodes", samePartner) is { } person)
        {
            _episodes[(row.Keys.Local ?? "", row.AssessmentDate)] =
                new LinkedEpisode(person, row.AssessmentDate, row.AssessmentOutcome == "no_engagement", row.TreatmentStartDate, row.ClosureDate, row.ClosureReason);
        }
    }

    /// <summary>Adds a TOPS form.</summary>
    public void Add(TopsFormRow row, bool samePartner = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "substance-misuse-tops", samePartner) is { } person)
        {
            var stage = row.Stage switch { "start" => AssessmentStage.Opening, "exit" => AssessmentStage.Closing, _ => AssessmentStage.Review };
            _topsForms[(row.Keys.Local ?? "", row.FormDate, stage)] =
                new LinkedTopsForm(person, row.FormDate, stage, row.SubstanceUseDays, row.PsychologicalWellbeing, row.PhysicalHealth, row.QualityOfLife, row.PaidWorkDays);
        }
    }

    /// <summary>Adds an attendance period.</summary>
    public void Add(AttendanceRow row, bool samePartner = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "school-attendance", samePartner) is { } person)
        {
            _attendance.Add(person, row);
        }
    }

    /// <summary>Adds a DA programme.</summary>
    public void Add(DaProgrammeRow row, bool samePartner = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "da-programmes", samePartner) is { } person)
        {
            var perpetrator = row.Role == "perpetrator";
            _programmes[(person, row.Programme, perpetrator, row.StartDate)] = new LinkedProgramme(person, row.StartDate, row.EndDate, row.Outcome == "completed", perpetrator);
        }
    }

    /// <summary>Adds a mental health score.</summary>
    public void Add(MentalHealthScoreRow row, bool samePartner = false)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Link(row.Keys, "mental-health-scores", samePartner) is { } person)
        {
            var stage = row.Stage switch { "initial" => AssessmentStage.Opening, "end" => AssessmentStage.Closing, _ => AssessmentStage.Review };
            _scores[(person, row.Instrument, stage, row.ScoreDate)] = new LinkedScore(person, row.Instrument, stage, row.ScoreDate, row.Score);
        }
    }

    /// <summary>Adds an aggregate health row (no linkage: it has no person data).</summary>
    /// <remarks>Keyed by the cohort label as the ingest matches it (<see cref="CohortDefinition.LabelKey"/>): a row stored as sent
    /// (<c>c1</c>) before the ingest stored labels as the cohort's name is replaced by a later delivery stored as <c>C1</c>.</remarks>
    public void Add(HealthAggregateRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _health[(row.Quarter, CohortDefinition.LabelKey(row.Cohort), row.AgeGroup, row.Measure)] = row;
    }

    /// <summary>Link quality per feed and key, feeds in name order.</summary>
    public IReadOnlyList<LinkQualityRow> LinkQuality() =>
        _quality.OrderBy(q => q.Key, StringComparer.Ordinal).SelectMany(q => q.Value.Rows()).ToArray();

    /// <summary>The linked inputs, grouped by person and sorted by date.</summary>
    public KpiInputs Build() =>
        new(_cohort.People, _cohort.Allocations, _cpPlans.Values, _claPeriods.Values, _incidents.Values, _episodes.Values, _topsForms.Values,
            _attendance.ToArray(), _programmes.Values, _scores.Values, _health.Values.ToArray());

    private int? Link(PersonKeys keys, string feed, bool samePartner)
    {
        var result = _cohort.Link(keys, feed, samePartner, Tally(feed), _recent);
        return result.Status == LinkStatus.Linked ? result.Person : null;
    }

    private LinkQualityTally Tally(string feed)
    {
        if (!_quality.TryGetValue(feed, out var tally))
        {
            tally = new LinkQualityTally(feed);
            _quality[feed] = tally;
        }

        return tally;
    }
}
