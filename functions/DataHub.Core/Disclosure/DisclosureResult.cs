namespace DataHub.Core.Disclosure;

/// <summary>A count as published, with the decision behind it.</summary>
/// <param name="Id">The cell id.</param>
/// <param name="Value">The published (possibly rounded) count; null when a marker stands in for it.</param>
/// <param name="Marker">The marker to show.</param>
/// <param name="Reason">Why it is suppressed (<see cref="SuppressionReason.None"/> when it is not).</param>
/// <param name="Protects">For a secondary suppression: the id of the suppressed cell it was chosen to protect.</param>
/// <param name="Labels">The labels given with the input cell.</param>
public sealed record PublishedCount(
    string Id,
    long? Value,
    DisclosureMarker Marker,
    SuppressionReason Reason,
    string? Protects,
    IReadOnlyDictionary<string, string>? Labels);

/// <summary>A rate as published, with the decision behind it.</summary>
/// <param name="Id">The rate id.</param>
/// <param name="NumeratorId">The numerator cell id.</param>
/// <param name="DenominatorId">The denominator cell id.</param>
/// <param name="Value">Numerator / denominator from the unrounded counts, or null when a marker stands in for it.</param>
/// <param name="Marker">The marker to show.</param>
/// <param name="Reason">Why it is withheld.</param>
public sealed record PublishedRate(
    string Id,
    string NumeratorId,
    string DenominatorId,
    double? Value,
    DisclosureMarker Marker,
    SuppressionReason Reason);

/// <summary>The outcome of disclosure control over one table: every count and rate in ordinal id order.</summary>
public sealed class DisclosureResult
{
    private readonly Dictionary<string, PublishedCount> _counts;
    private readonly Dictionary<string, PublishedRate> _rates;

    internal DisclosureResult(IReadOnlyList<PublishedCount> counts, IReadOnlyList<PublishedRate> rates, IReadOnlyList<string> unprotected)
    {
        Counts = counts;
        Rates = rates;
        Unprotected = unprotected;
        _counts = counts.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _rates = rates.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    /// <summary>Every count cell, in ordinal id order.</summary>
    public IReadOnlyList<PublishedCount> Counts { get; }

    /// <summary>Every rate, in ordinal id order.</summary>
    public IReadOnlyList<PublishedRate> Rates { get; }

    /// <summary>Suppressed cells that stay recoverable because the margins fix them whatever else is suppressed
    /// (e.g. a margin with a single part fixes a sibling at 0). Empty for ordinary tables; a caller should withhold
    /// the whole table (or its margin) when it is not.</summary>
    public IReadOnlyList<string> Unprotected { get; }

    /// <summary>The published count with this id.</summary>
    /// <exception cref="KeyNotFoundException">No cell has this id.</exception>
    public PublishedCount Count(string id) =>
        _counts.TryGetValue(id, out var cell) ? cell : throw new KeyNotFoundException($"No count cell has id '{id}'.");

    /// <summary>The published rate with this id.</summary>
    /// <exception cref="KeyNotFoundException">No rate has this id.</exception>
    public PublishedRate Rate(string id) =>
        _rates.TryGetValue(id, out var rate) ? rate : throw new KeyNotFoundException($"No rate has id '{id}'.");
}
