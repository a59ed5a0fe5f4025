namespace DataHub.Core.Disclosure;

/// <summary>Applies one disclosure profile to a table: primary suppression, secondary suppression over every
/// margin, rounding (with more suppression wherever the rounded counts around a count would pin it), then rates from the
/// published counts. Pure and deterministic: the same cells, margins and rates in any order give the same result.</summary>
public sealed class DisclosureControl
{
    /// <summary>Creates the control for one profile.</summary>
    public DisclosureControl(DisclosureProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Profile = profile;
    }

    /// <summary>The profile applied.</summary>
    public DisclosureProfile Profile { get; }

    /// <summary>Decides, for every count and rate of the table, the published value or the marker standing in for it.</summary>
    /// <exception cref="ArgumentException">A cell id repeats with a different count, a margin or rate names an
    /// unknown cell, a margin repeats a part or lists its total as a part, or a margin of known counts does not add up.</exception>
    public DisclosureResult Apply(DisclosureTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var cells = DistinctCells(table.Cells);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cells.Count; i++)
        {
            index[cells[i].Id] = i;
        }

        var equations = Equations(table.Margins, cells, index);
        var rates = DistinctRates(table.Rates, index, cells);

        var reason = new SuppressionReason[cells.Count];
        var protects = new string?[cells.Count];
        var unknown = new HashSet<int>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is { NotApplicable: false, Count: null } or { Hidden: true })
            {
                // Nobody, the hub included, knows an unavailable figure; it hides its neighbours but needs no protection.
                unknown.Add(i);
            }
            else if (cells[i].Count is { } count && !cells[i].Public && Profile.IsSmall(count))
            {
                reason[i] = SuppressionReason.Primary;
                unknown.Add(i);
            }
        }

        var system = new MarginSystem(equations, [.. cells.Select(c => c.Count ?? 0)]);
        var unprotected = SuppressSecondary(cells, system, unknown, reason, protects);
        while (PinnedByRounding(cells, system, unknown) is { Count: > 0 } pinned)
        {
            // Each round only removes knowledge, so it ends; the new unknowns are protected like primary ones.
            foreach (var i in pinned)
            {
                reason[i] = SuppressionReason.Rounding;
                unknown.Add(i);
            }

            unprotected.UnionWith(SuppressSecondary(cells, system, unknown, reason, protects));
        }

        var counts = new PublishedCount[cells.Count];
        for (var i = 0; i < cells.Count; i++)
        {
            counts[i] = Publish(cells[i], reason[i], protects[i]);
        }

        // Hidden cells are never shown: they only carry the margins a reader can reason with.
        var shown = Enumerable.Range(0, cells.Count).Where(i => !cells[i].Hidden).ToHashSet();
        var published = rates.Select(r => PublishRate(r, counts[index[r.NumeratorId]], counts[index[r.DenominatorId]], cells[index[r.NumeratorId]], cells[index[r.DenominatorId]]));
        return new DisclosureResult([.. counts.Where((_, i) => shown.Contains(i))], [.. published], [.. unprotected.Where(shown.Contains).Select(i => cells[i].Id)]);
    }

    // A reader knows each published count only to within its rounding interval (and that it is not small). The counts whose
    // interval the margins narrow to one value are given away by the rounding, and are suppressed in turn.
    private List<int> PinnedByRounding(IReadOnlyList<CountCell> cells, MarginSystem system, HashSet<int> unknown)
    {
        if (Profile.RoundingBase is null)
        {
            return [];
        }

        var low = new long[cells.Count];
        var high = new long[cells.Count];
        for (var i = 0; i < cells.Count; i++)
        {
            (low[i], high[i]) = unknown.Contains(i) || cells[i].Count is not { } count
                ? (0, long.MaxValue)
                : cells[i].NotApplicable ? (0, 0) : cells[i].Public ? (count, count) : Interval(count);
        }

        return system.PinnedIntervals(low, high);
    }

    // What a reader can tell of a published count: a non-zero count that rounds to 0 is shown as [low], so they know it is not 0.
    private (long Low, long High) Interval(long count)
    {
        var rounded = Profile.Round(count);
        var (low, high) = Profile.Interval(rounded);
        return count > 0 && rounded == 0 ? (1, Math.Max(1, high)) : (low, high);
    }

    // Until no suppressed cell can be worked out: take the recoverable one with the lowest id and suppress one more
    // published cell from an equation it sits in — preferring one whose suppression alone protects it, then the
    // smallest non-zero count, then the lowest id — so the pattern depends only on the table. Suppressing a cell only
    // removes knowledge, so only the target's own component needs solving again afterwards.
    private static SortedSet<int> SuppressSecondary(
        IReadOnlyList<CountCell> cells, MarginSystem system, HashSet<int> unknown, SuppressionReason[] reason, string?[] protects)
    {
        var unprotected = new SortedSet<int>();
        var queue = system.Recoverable(unknown);
        while (queue.Count > 0)
        {
            var target = queue.Min;
            queue.Remove(target);
            if (reason[target] == SuppressionReason.None || unprotected.Contains(target) || !system.RecoverableNear(target, unknown).Contains(target))
            {
                continue;
            }

            // Published cells beside the target first; then beside any unknown linked to it, because an identical
            // quantity elsewhere (a total over a single part) can give it away when its own neighbours are all hidden.
            var near = Candidates(cells, system, unknown, [target]);
            var candidates = near.Concat(Candidates(cells, system, unknown, system.ComponentOf(target, unknown)).Except(near)).ToList();
            if (candidates.Count == 0)
            {
                unprotected.Add(target);
                continue;
            }

            // The cheapest candidate that protects the target on its own; else the cheapest in an equation where the
            // target is the only unknown (that equation needs a second one whatever else happens); else the cheapest.
            var chosen = candidates.FirstOrDefault(
                c => system.EquationsOf(target).Any(e => SoleUnknown(system, unknown, e, target) && system.CellsOf(e).Contains(c)),
                candidates[0]);
            SortedSet<int>? stillFixed = null;
            foreach (var candidate in candidates)
            {
                unknown.Add(candidate);
                var fixedWith = system.RecoverableNear(target, unknown);
                if (!fixedWith.Contains(target))
                {
                    (chosen, stillFixed) = (candidate, fixedWith);
                    break;
                }

                unknown.Remove(candidate);
            }

            if (stillFixed is null)
            {
                unknown.Add(chosen);
                stillFixed = system.RecoverableNear(target, unknown);
            }

            reason[chosen] = SuppressionReason.Secondary;
            protects[chosen] = cells[target].Id;
            queue.UnionWith(stillFixed);
        }

        return unprotected;
    }

    private static bool SoleUnknown(MarginSystem system, HashSet<int> unknown, int equation, int cell) =>
        system.CellsOf(equation).All(i => i == cell || !unknown.Contains(i));

    private static List<int> Candidates(IReadOnlyList<CountCell> cells, MarginSystem system, HashSet<int> unknown, IEnumerable<int> around) =>
        [.. around
            .SelectMany(system.EquationsOf)
            .SelectMany(system.CellsOf)
            .Distinct()
            .Where(i => !unknown.Contains(i) && !cells[i].NotApplicable && !cells[i].Public)
            .OrderBy(i => cells[i].Count == 0 ? 1 : 0)
            .ThenBy(i => cells[i].Count)
            .ThenBy(i => i)];

    private PublishedCount Publish(CountCell cell, SuppressionReason reason, string? protects)
    {
        if (cell.NotApplicable)
        {
            return new PublishedCount(cell.Id, null, DisclosureMarker.NotApplicable, SuppressionReason.None, null, cell.Labels);
        }

        if (cell.Count is not { } count)
        {
            return new PublishedCount(cell.Id, null, DisclosureMarker.Unavailable, SuppressionReason.None, null, cell.Labels);
        }

        if (reason != SuppressionReason.None)
        {
            return new PublishedCount(cell.Id, null, DisclosureMarker.Confidential, reason, protects, cell.Labels);
        }

        if (cell.Public)
        {
            // Known exactly from elsewhere: rounding it would only blur the table, not the reader's knowledge.
            return new PublishedCount(cell.Id, count, DisclosureMarker.None, SuppressionReason.None, null, cell.Labels);
        }

        var rounded = Profile.Round(count);
        return count > 0 && rounded == 0
            ? new PublishedCount(cell.Id, null, DisclosureMarker.Low, SuppressionReason.None, null, cell.Labels)
            : new PublishedCount(cell.Id, rounded, DisclosureMarker.None, SuppressionReason.None, null, cell.Labels);
    }

    // The value is worked out from the published (rounded) counts, so it tells a reader nothing the counts do not.
    private PublishedRate PublishRate(RateCell rate, PublishedCount numerator, PublishedCount denominator, CountCell numeratorCell, CountCell denominatorCell)
    {
        PublishedRate Withheld(DisclosureMarker marker, SuppressionReason why) =>
            new(rate.Id, rate.NumeratorId, rate.DenominatorId, null, marker, why);

        if (numeratorCell.NotApplicable || denominatorCell.NotApplicable)
        {
            return Withheld(DisclosureMarker.NotApplicable, SuppressionReason.None);
        }

        if (numeratorCell.Count is null || denominatorCell.Count is null)
        {
            return Withheld(DisclosureMarker.Unavailable, SuppressionReason.None);
        }

        if (numerator.Value is not { } n || denominator.Value is not { } d)
        {
            return Withheld(DisclosureMarker.Confidential, SuppressionReason.Rate);
        }

        if (d == 0)
        {
            return Withheld(DisclosureMarker.NotApplicable, SuppressionReason.None);
        }

        return new PublishedRate(rate.Id, rate.NumeratorId, rate.DenominatorId, (double)n / d,
            d < Profile.MinimumDenominator ? DisclosureMarker.LowReliability : DisclosureMarker.None, SuppressionReason.None);
    }

    private static List<CountCell> DistinctCells(IReadOnlyList<CountCell> input)
    {
        var byId = new Dictionary<string, CountCell>(StringComparer.Ordinal);
        foreach (var cell in input)
        {
            ArgumentNullException.ThrowIfNull(cell);
            ArgumentException.ThrowIfNullOrEmpty(cell.Id);
            if (cell.Count < 0)
            {
                throw new ArgumentException($"Count cell '{cell.Id}' has a negative count.", nameof(input));
            }

            if (cell.NotApplicable && cell.Count is not null)
            {
                throw new ArgumentException($"Count cell '{cell.Id}' is marked not applicable but has a count.", nameof(input));
            }

            if ((cell.Public || cell.Hidden) && cell.Count is null)
            {
                throw new ArgumentException($"Count cell '{cell.Id}' is marked public or hidden but has no count.", nameof(input));
            }

            if (cell.Public && cell.Hidden)
            {
                throw new ArgumentException($"Count cell '{cell.Id}' cannot be both public and hidden.", nameof(input));
            }

            if (byId.TryGetValue(cell.Id, out var earlier) && (earlier.Count != cell.Count || earlier.NotApplicable != cell.NotApplicable || earlier.Public != cell.Public || earlier.Hidden != cell.Hidden))
            {
                throw new ArgumentException($"Count cell '{cell.Id}' is given twice with different counts; one id must be one quantity.", nameof(input));
            }

            byId.TryAdd(cell.Id, cell);
        }

        return [.. byId.Values.OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

    private static List<int[]> Equations(IReadOnlyList<Margin> margins, IReadOnlyList<CountCell> cells, Dictionary<string, int> index)
    {
        int Find(string id, string role) => index.TryGetValue(id, out var i)
            ? i
            : throw new ArgumentException($"A margin names {role} '{id}', which is not a count cell of the table.", nameof(margins));

        var distinct = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var margin in margins)
        {
            ArgumentNullException.ThrowIfNull(margin);
            var total = Find(margin.TotalId, "total");
            var parts = margin.PartIds.Select(p => Find(p, "part")).Order().ToArray();
            if (parts.Length == 0 || parts.Contains(total) || parts.Distinct().Count() != parts.Length)
            {
                throw new ArgumentException(
                    $"The margin of '{margin.TotalId}' must list at least one part, each once, and not the total itself.", nameof(margins));
            }

            var known = parts.Append(total).All(i => cells[i].Count is not null);
            if (known && parts.Sum(i => cells[i].Count!.Value) != cells[total].Count)
            {
                // Never print the counts: they may be the small numbers this module exists to hide.
                throw new ArgumentException($"The margin of '{margin.TotalId}' does not add up: its parts do not sum to its total.", nameof(margins));
            }

            int[] equation = [total, .. parts];
            distinct.TryAdd(string.Join('\u001f', equation), equation);
        }

        return [.. distinct.Values];
    }

    private static List<RateCell> DistinctRates(IReadOnlyList<RateCell> input, Dictionary<string, int> index, IReadOnlyList<CountCell> cells)
    {
        var byId = new Dictionary<string, RateCell>(StringComparer.Ordinal);
        foreach (var rate in input)
        {
            ArgumentNullException.ThrowIfNull(rate);
            ArgumentException.ThrowIfNullOrEmpty(rate.Id);
            if (!index.TryGetValue(rate.NumeratorId, out var n) || !index.TryGetValue(rate.DenominatorId, out var d) || cells[n].Hidden || cells[d].Hidden)
            {
                throw new ArgumentException($"Rate '{rate.Id}' names a numerator or denominator that is not a shown count cell of the table.", nameof(input));
            }

            if (byId.TryGetValue(rate.Id, out var earlier) && earlier != rate)
            {
                throw new ArgumentException($"Rate '{rate.Id}' is given twice with different counts.", nameof(input));
            }

            byId.TryAdd(rate.Id, rate);
        }

        return [.. byId.Values.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }
}
