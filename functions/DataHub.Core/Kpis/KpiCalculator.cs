namespace DataHub.Core.Kpis;

/// <summary>
/// Computes every indicator for every configured cohort: the per-cohort quantities (populations, the fixed windows before and
/// after FS start) once, and the quarterly ones for each requested quarter from the cohort's first quarter on, and from four
/// quarters earlier for the measures compared with the year before FS start.
/// </summary>
public sealed class KpiCalculator
{
    /// <summary>Quarters before a cohort's first quarter published for baseline measures (the year before FS start).</summary>
    public const int BaselineQuarters = 4;

    private readonly KpiOptions _options;
    private readonly IReadOnlyList<IKpiIndicator> _indicators;
    private readonly Dictionary<string, QuantityDefinition> _quantities = new(StringComparer.Ordinal);
    private readonly HashSet<string> _baselineQuantities = new(StringComparer.Ordinal);

    /// <summary>Uses <paramref name="indicators"/>, or all of <see cref="KpiCatalog.Indicators"/>.</summary>
    /// <exception cref="InvalidOperationException">A quantity is declared twice differently or as a sum of unlike ones, or a measure names one nobody computes,
    /// breaks its numerator down into parts its denominator lacks, or averages a sum without naming the count it is over.</exception>
    public KpiCalculator(KpiOptions options, IReadOnlyList<IKpiIndicator>? indicators = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _indicators = indicators ?? KpiCatalog.Indicators;
        foreach (var q in CohortPopulations.Quantities.Concat(_indicators.SelectMany(i => i.Quantities)))
        {
            if (_quantities.TryGetValue(q.Id, out var existing) && existing != q)
            {
                throw new InvalidOperationException($"Quantity {q.Id} is declared twice with different definitions.");
            }

            _quantities[q.Id] = q;
        }

        foreach (var q in _quantities.Values.Where(q => q.SumOf is not null))
        {
            if (q.SumOf!.Any(p => !_quantities.TryGetValue(p, out var part) || part.Kind != QuantityKind.Count || part.Dimension != q.Dimension || part.PerCohort != q.PerCohort))
            {
                throw new InvalidOperationException($"Quantity {q.Id} is the sum of quantities that are not counts computed over the same breakdown and period.");
            }
        }

        foreach (var m in Measures)
        {
            var ids = new[] { m.Numerator, m.Denominator, m.Guard }.OfType<string>().ToArray();
            foreach (var id in ids.Where(id => !_quantities.ContainsKey(id)))
            {
                throw new InvalidOperationException($"Measure {m.Key} uses quantity {id}, which no indicator computes.");
            }

            if (m.Denominator is { } d && _quantities[m.Numerator].Categories is { } parts
                && !(_quantities[d].Categories ?? []).SequenceEqual(parts, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"Measure {m.Key} breaks its numerator into parts its denominator does not have.");
            }

            if (m.Unit is MeasureUnit.AverageDays or MeasureUnit.SessionRate && (m.Guard is not { } g || _quantities[g].Kind != QuantityKind.Count))
            {
                // Its sums are published over the published count of plans or pupils (docs/disclosure.md, rule 3).
                throw new InvalidOperationException($"Measure {m.Key} averages a sum, so it must name the count of plans or pupils it is over as its guard.");
            }

            if (m.Baseline)
            {
                _baselineQuantities.UnionWith(ids.Where(id => !_quantities[id].PerCohort));
            }
        }
    }

    /// <summary>Every measure's definition, in indicator order.</summary>
    public IReadOnlyList<MeasureDefinition> Measures => _indicators.SelectMany(i => i.Measures).ToArray();

    /// <summary>Every quantity's definition by id.</summary>
    public IReadOnlyDictionary<string, QuantityDefinition> Quantities => _quantities;

    /// <summary>The cohort's distinct members, each with their deciding family (earliest FS start, then lowest family key).</summary>
    public static IReadOnlyList<CohortMember> MembersOf(KpiInputs inputs, CohortDefinition cohort)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(cohort);
        var members = new List<CohortMember>();
        foreach (var person in inputs.Allocations.Where(a => cohort.Includes(a.FsStartDate)).GroupBy(a => a.Person).OrderBy(g => g.Key))
        {
            var ordered = person.OrderBy(a => a.FsStartDate).ThenBy(a => a.FamilyKey, StringComparer.Ordinal).ToArray();
            var first = ordered[0];
            var who = inputs.People[first.Person];
            members.Add(new CohortMember(
                first.Person,
                first.FamilyKey,
                first.FsStartDate,
                first.Team,
                PersonAge.IsChildOn(who.BirthYear, who.BirthMonth, first.FsStartDate),
                ordered.Any(a => a.Uasc),
                ordered.Any(a => a.Cwd),
                ordered.Any(a => a.WorkedWith),
                ordered.Select(a => a.FamilyKey).Distinct(StringComparer.Ordinal).ToArray()));
        }

        return members;
    }

    /// <summary>Computes the indicators for each cohort over those of <paramref name="quarters"/> it reports.</summary>
    /// <param name="inputs">The linked records.</param>
    /// <param name="quarters">The quarters to compute.</param>
    /// <param name="personValuesFor">The quarters whose per-person contributions are kept (all when null); per-cohort ones always are.</param>
    /// <param name="delivered">What each feed has been received for; a quantity reading days not received is not available.
    /// Everything counts as received when null.</param>
    public KpiResults Compute(KpiInputs inputs, IReadOnlyList<Quarter> quarters, Func<Quarter, bool>? personValuesFor = null, DeliveredPeriods? delivered = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(quarters);
        var output = new Output();
        var received = delivered ?? DeliveredPeriods.Everything;
        var measures = Measures;
        var perCohort = CohortPopulations.Quantities.Concat(_indicators.SelectMany(i => i.Quantities).Where(q => q.PerCohort)).DistinctBy(q => q.Id).ToArray();
        var quarterly = _indicators.SelectMany(i => i.Quantities).Where(q => !q.PerCohort).DistinctBy(q => q.Id).ToArray();
        var baselineIndicators = _indicators.Where(i => i.Measures.Any(m => m.Baseline)).ToArray();

        foreach (var cohort in _options.Cohorts)
        {
            var members = MembersOf(inputs, cohort);
            var cohortAllocations = inputs.Allocations.Where(a => cohort.Includes(a.FsStartDate)).ToArray();
            var teams = members.Select(m => m.Team).Concat(cohortAllocations.Select(a => a.Team))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(Breakdown.Team).ToArray();

            var cohortTally = new QuantityTally();
            var cohortContext = new QuarterContext(inputs, _options, cohort, cohort.FirstQuarter, members, cohortTally);
            CohortPopulations.Compute(cohortContext, cohortAllocations);
            foreach (var indicator in _indicators)
            {
                indicator.ComputeWindows(cohortContext);
            }

            MarkNotReceived(perCohort, cohort, cohort.FirstQuarter, received, cohortTally);
            output.Emit(cohort.Name, null, perCohort, cohortTally, teams);
            output.Summaries.Add(new CohortSummary(
                cohort,
                output.Cell(cohort.Name, null, CohortPopulations.Families, Breakdown.All),
                output.Cell(cohort.Name, null, CohortPopulations.Children, Breakdown.All),
                output.Cell(cohort.Name, null, CohortPopulations.Adults, Breakdown.All)));

            foreach (var quarter in quarters.Where(q => q.QuartersSince(cohort.FirstQuarter) >= -BaselineQuarters).Order())
            {
                var baseline = quarter.CompareTo(cohort.FirstQuarter) < 0;
                var tally = new QuantityTally(personValuesFor?.Invoke(quarter) ?? true);
                var context = new QuarterContext(inputs, _options, cohort, quarter, members, tally);
                foreach (var indicator in baseline ? baselineIndicators : _indicators)
                {
                    indicator.Compute(context);
                }

                var computed = baseline ? quarterly.Where(q => _baselineQuantities.Contains(q.Id)).ToArray() : quarterly;
                MarkNotReceived(computed, cohort, quarter, received, tally);
                var label = quarter.ToString();
                output.Emit(cohort.Name, label, computed, tally, teams);
                foreach (var measure in measures.Where(m => !baseline || m.Baseline))
                {
                    AddRows(output, cohort, quarter, measure, teams);
                }
            }
        }

        return new KpiResults(output.Cells, output.Rows, output.Margins, output.PersonValues, output.Summaries, quarters.Order().ToArray());
    }

    private void AddRows(Output output, CohortDefinition cohort, Quarter quarter, MeasureDefinition measure, IReadOnlyList<string> teams)
    {
        var numerator = _quantities[measure.Numerator];
        var open = !measure.Window.IsComplete(cohort, quarter);
        var label = quarter.ToString();
        foreach (var breakdown in BreakdownsOf(numerator.Dimension, teams).Concat(numerator.Categories ?? []))
        {
            output.Rows.Add(new KpiRow(
                cohort.Name,
                label,
                measure,
                breakdown,
                CellOf(output, cohort.Name, label, measure.Numerator, breakdown),
                measure.Denominator is null ? null : CellOf(output, cohort.Name, label, measure.Denominator, breakdown),
                measure.Guard is null ? null : CellOf(output, cohort.Name, label, measure.Guard, breakdown),
                open));
        }
    }

    private KpiCell CellOf(Output output, string cohort, string quarter, string quantity, string breakdown) =>
        output.Cell(cohort, _quantities[quantity].PerCohort ? null : quarter, quantity, breakdown);

    // Missing is never zero: a quantity whose feed has no delivery covering the days it reads is not available.
    private static void MarkNotReceived(IEnumerable<QuantityDefinition> quantities, CohortDefinition cohort, Quarter quarter, DeliveredPeriods received, QuantityTally tally)
    {
        foreach (var q in quantities)
        {
            if (q.Feed is { } feed)
            {
                var (from, to) = q.Reads.Days(cohort, quarter);
                if (!received.Covers(feed, from, to))
                {
                    tally.MarkUnavailable(q.Id);
                }
            }
        }
    }

    private static IEnumerable<string> BreakdownsOf(BreakdownDimension dimension, IReadOnlyList<string> teams) =>
        dimension == BreakdownDimension.AgeGroup
            ? [Breakdown.All, Breakdown.Age(child: true), Breakdown.Age(child: false)]
            : [Breakdown.All, .. teams];

    /// <summary>The cells, rows, margins and person values being assembled.</summary>
    private sealed class Output
    {
        private readonly Dictionary<string, KpiCell> _cellsById = new(StringComparer.Ordinal);

        public List<KpiCell> Cells { get; } = [];

        public List<KpiRow> Rows { get; } = [];

        public List<KpiMargin> Margins { get; } = [];

        public List<PersonValue> PersonValues { get; } = [];

        public List<CohortSummary> Summaries { get; } = [];

        public KpiCell Cell(string cohort, string? quarter, string quantity, string breakdown) =>
            _cellsById[KpiCell.MakeId(cohort, quarter, quantity, breakdown)];

        public void Emit(string cohort, string? quarter, IEnumerable<QuantityDefinition> quantities, QuantityTally tally, IReadOnlyList<string> teams)
        {
            foreach (var quantity in quantities)
            {
                var breakdowns = BreakdownsOf(quantity.Dimension, teams).ToArray();
                foreach (var breakdown in breakdowns.Concat(quantity.Categories ?? []))
                {
                    var cell = new KpiCell(KpiCell.MakeId(cohort, quarter, quantity.Id, breakdown), cohort, quarter, quantity.Id, breakdown, quantity.Kind, tally.Get(quantity.Id, breakdown));
                    Cells.Add(cell);
                    _cellsById[cell.Id] = cell;
                }

                if (quantity.Kind == QuantityKind.Count)
                {
                    var total = KpiCell.MakeId(cohort, quarter, quantity.Id, Breakdown.All);
                    // A cohort no family has started in yet has no team, so its team breakdown has no parts and no sum.
                    if (breakdowns.Length > 1)
                    {
                        Margins.Add(new KpiMargin(total, breakdowns.Skip(1).Select(b => KpiCell.MakeId(cohort, quarter, quantity.Id, b)).ToArray()));
                    }

                    if (quantity.Categories is not null)
                    {
                        Margins.Add(new KpiMargin(total, quantity.Categories.Select(b => KpiCell.MakeId(cohort, quarter, quantity.Id, b)).ToArray()));
                    }
                }
            }

            // A sum across quantities (KPI01's active plans of KPI02's closed and open ones) is a margin in every breakdown.
            var emitted = quantities.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var quantity in quantities.Where(q => q.SumOf is { } parts && parts.All(emitted.Contains)))
            {
                foreach (var breakdown in BreakdownsOf(quantity.Dimension, teams))
                {
                    Margins.Add(new KpiMargin(
                        KpiCell.MakeId(cohort, quarter, quantity.Id, breakdown),
                        [.. quantity.SumOf!.Select(p => KpiCell.MakeId(cohort, quarter, p, breakdown))]));
                }
            }

            foreach (var contribution in tally.Contributions)
            {
                PersonValues.Add(new PersonValue(cohort, quarter, contribution.Member, contribution.Quantity, contribution.Value, contribution.Record));
            }
        }
    }
}
