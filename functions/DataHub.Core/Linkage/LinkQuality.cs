namespace DataHub.Core.Linkage;

/// <summary>
/// One row of link_quality. For key <c>all</c>: every record of the feed and its final outcome. For a named key: the records
/// carrying that key and what the key alone matched (exactly one person, several, none), whichever key decided.
/// </summary>
public sealed record LinkQualityRow(string Feed, string Key, long Records, long Linked, long Ambiguous, long Unlinked)
{
    /// <summary>Linked over records; null when there are none.</summary>
    public double? Rate => Records == 0 ? null : (double)Linked / Records;
}

/// <summary>Counts link outcomes for one feed as its records are linked.</summary>
public sealed class LinkQualityTally(string feed)
{
    private readonly long[] _outcomes = new long[3];
    private readonly long[,] _byKey = new long[5, 4];

    /// <summary>The feed counted.</summary>
    public string Feed { get; } = feed;

    /// <summary>Records one outcome.</summary>
    internal void Record(LinkStatus status) => _outcomes[(int)status]++;

    /// <summary>Records what one key on its own matched: 1 person, several (ambiguous), or none.</summary>
    internal void RecordKey(LinkKey key, int matches)
    {
        _byKey[(int)key, 0]++;
        _byKey[(int)key, matches switch { 1 => 1, 0 => 3, _ => 2 }]++;
    }

    /// <summary>The rows: <c>all</c> first, then each key the feed carried, strongest first.</summary>
    public IReadOnlyList<LinkQualityRow> Rows()
    {
        var rows = new List<LinkQualityRow>
        {
            new(Feed, "all", _outcomes.Sum(), _outcomes[(int)LinkStatus.Linked], _outcomes[(int)LinkStatus.Ambiguous], _outcomes[(int)LinkStatus.Unlinked]),
        };
        foreach (var key in LinkKeys.SamePartnerOrder)
        {
            var k = (int)key;
            if (_byKey[k, 0] > 0)
            {
                rows.Add(new LinkQualityRow(Feed, LinkKeys.Name(key), _byKey[k, 0], _byKey[k, 1], _byKey[k, 2], _byKey[k, 3]));
            }
        }

        return rows;
    }
}
