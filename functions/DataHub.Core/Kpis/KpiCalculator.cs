namespace DataHub.Core.Kpis;

/// <summary>Computes every indicator for every configured cohort and each requested quarter from the cohort's first quarter on.</summary>
public sealed class KpiCalculator
{
    private readonly KpiOptions _options;
    private readonly IReadOnlyList<IKpiIndicator> _indicators;
    private readonly Dictionary<string, QuantityDefinition> _quantities = new(StringComparer.Ordinal);

    /// <summary>Uses <paramref name="indicators"/>, or all of <see cref="KpiCatalog.Indicators"/>.</summary>
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

        foreach (var m in _indicators.SelectMany(i => i.Measures))
        {
            foreach (var id in new[] { m.Numerator, m.Denominator, m.Guard }.OfType<string>())
            {
                if (!_quantities.ContainsKey(id))
                {
                    throw new InvalidOperationException($"Measure {m.Indicator}.{m.Measure} uses quantity {id}, which no indicator computes.");
                }
            }
        }
    }

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

    /// <summary>Computes the indicators for each cohort over those of <paramref name="quarters"/> at or after its first quarter.</summary>
    /// <param name="inputs">The linked records.</param>
    /// <param name="quarters">The quarters to compute.</param>
    /// <param name="personValuesFor">The quarters whose per-person contributions are kept (all when null); populations always are.</param>
    public KpiResults Compute(KpiInputs inputs, IReadOnlyList<Quarter> quarters, Func<Quarter, bool>? personValuesFor = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(quarters);
        var cells = new List<KpiCell>();
        var cellsById = new Dictionary<string, KpiCell>(StringComparer.Ordinal);
        var rows = new List<KpiRow>();
        var margins = new List<KpiMargin>();
        var personValues = new List<PersonValue>();
        var summaries = new List<CohortSummary>();

        foreach (var cohort in _options.Cohorts)
        {
            var members = MembersOf(inputs, cohort);
            var cohortAllocations = inputs.Allocations.Where(a => cohort.Includes(a.FsStartDate)).ToArray();
            var teams = members.Select(m => m.Team).Concat(cohortAllocations.Select(a => a.Team))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(Breakdown.Team).ToArray();

            var populationTally = new QuantityTally();
            CohortPopulations.Compute(new QuarterContext(inputs, _options, cohort, cohort.FirstQuarter, members, populationTally), cohortAllocations);
            Emit(cohort.Name, null, CohortPopulations.Quantities, populationTally, teams, cells, cellsById, margins, personValues);
            summaries.Add(new CohortSummary(
                cohort,
                cellsById[KpiCell.MakeId(cohort.Name, null, CohortPopulations.Families, Breakdown.All)],
                cellsById[KpiCell.MakeId(cohort.Name, null, CohortPopulations.Children, Breakdown.All)],
                cellsById[KpiCell.MakeId(cohort.Name, null, CohortPopulations.Adults, Breakdown.All)]));

            foreach (var quarter in quarters.Where(q => q.CompareTo(cohort.FirstQuarter) >= 0).Order())
            {
                var tally = new QuantityTally(personValuesFor?.Invoke(quarter) ?? true);
                var context = new QuarterContext(inputs, _options, cohort, quarter, members, tally);
                foreach (var indicator in _indicators)
                {
                    indicator.Compute(context);
                }

                var label = quarter.ToString();
                Emit(cohort.Name, label, _indicators.SelectMany(i => i.Quantities).DistinctBy(q => q.Id), tally, teams, cells, cellsById, margins, personValues);
                foreach (var measure in _indicators.SelectMany(i => i.Measures))
                {
                    var numerator = _quantities[measure.Numerator];
                    var breakdowns = BreakdownsOf(numerator.Dimension, teams);
                    if (measure.Unit == MeasureUnit.Count && numerator.Categories is not null)
                    {
                        breakdowns = breakdowns.Concat(numerator.Categories);
                    }

                    foreach (var breakdown in breakdowns)
                    {
                        rows.Add(new KpiRow(
                            cohort.Name,
                            label,
                            measure,
                            breakdown,
                            CellOf(cohort.Name, label, measure.Numerator, breakdown, cellsById),
                            measure.Denominator is null ? null : CellOf(cohort.Name, label, measure.Denominator, breakdown, cellsById),
                            measure.Guard is null ? null : CellOf(cohort.Name, label, measure.Guard, breakdown, cellsById)));
                    }
                }
            }
        }

        return new KpiResults(cells, rows, margins, personValues, summaries, quarters.Order().ToArray());
    }

    /// <summary>Every measure's definition, in indicator order.</summary>
    public IReadOnlyList<MeasureDefinition> Measures => _indicators.SelectMany(i => i.Measures).ToArray();

    private KpiCell CellOf(string cohort, string quarter, string quantity, string breakdown, Dictionary<string, KpiCell> cellsById)
    {
        var definition = _quantities[quantity];
        return cellsById[KpiCell.MakeId(cohort, definition.PerCohort ? null : quarter, quantity, breakdown)];
    }

    private static IEnumerable<string> BreakdownsOf(BreakdownDimension dimension, IReadOnlyList<string> teams) =>
        dimension == BreakdownDimension.AgeGroup
            ? [Breakdown.All, Breakdown.Age(child: true), Breakdown.Age(child: false)]
            : [Breakdown.All, .. teams];

    private static void Emit(
        string cohort,
        string? quarter,
        IEnumerable<QuantityDefinition> quantities,
        QuantityTally tally,
        IReadOnlyList<string> teams,
        List<KpiCell> cells,
        Dictionary<string, KpiCell> cellsById,
        List<KpiMargin> margins,
        List<PersonValue> personValues)
    {
        foreach (var quantity in quantities)
        {
            var breakdowns = BreakdownsOf(quantity.Dimension, teams).ToArray();
            foreach (var breakdown in breakdowns)
            {
                var cell = new KpiCell(KpiCell.MakeId(cohort, quarter, quantity.Id, breakdown), cohort, quarter, quantity.Id, breakdown, quantity.Kind, tally.Get(quantity.Id, breakdown));
                cells.Add(cell);
                cellsById[cell.Id] = cell;
            }

            if (quantity.Categories is not null)
            {
                foreach (var category in quantity.Categories)
                {
                    var cell = new KpiCell(KpiCell.MakeId(cohort, quarter, quantity.Id, category), cohort, quarter, quantity.Id, category, quantity.Kind, tally.Get(quantity.Id, category));
                    cells.Add(cell);
                    cellsById[cell.Id] = cell;
                }
            }

            if (quantity.Kind == QuantityKind.Count)
            {
                var total = KpiCell.MakeId(cohort, quarter, quantity.Id, Breakdown.All);
                margins.Add(new KpiMargin(total, breakdowns.Skip(1).Select(b => KpiCell.MakeId(cohort, quarter, quantity.Id, b)).ToArray()));
                if (quantity.Categories is not null)
                {
                    margins.Add(new KpiMargin(total, quantity.Categories.Select(b => KpiCell.MakeId(cohort, quarter, quantity.Id, b)).ToArray()));
                }
            }
        }

        foreach (var contribution in tally.Contributions)
        {
            personValues.Add(new PersonValue(cohort, quarter, contribution.Member, contribution.Quantity, contribution.Value));
        }
    }
}
