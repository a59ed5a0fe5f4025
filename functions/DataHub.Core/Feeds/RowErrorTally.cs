namespace DataHub.Core.Feeds;

/// <summary>Rejected rows' errors as a report gives them: every error counted by rule, the first ones listed up to a limit.</summary>
/// <remarks>Ingest and `validate` both tally through this, so the partner sees the same counts and listing from either.</remarks>
public sealed class RowErrorTally(int listLimit)
{
    private readonly List<RowError> _listed = [];
    private readonly Dictionary<string, long> _byRule = new(StringComparer.Ordinal);
    private long _errors;

    /// <summary>Rows rejected (each may have several errors).</summary>
    public long Rows { get; private set; }

    /// <summary>The first errors in file order, at most the limit.</summary>
    public IReadOnlyList<RowError> Listed => _listed;

    /// <summary>Every error counted by its rule.</summary>
    public IReadOnlyDictionary<string, long> ByRule => _byRule;

    /// <summary>True when some errors are counted but not listed.</summary>
    public bool Truncated => _errors > _listed.Count;

    /// <summary>Tallies one rejected row's errors.</summary>
    public void Add(IReadOnlyList<RowError> errors)
    {
        Rows++;
        foreach (var error in errors)
        {
            _errors++;
            _byRule[error.Rule] = _byRule.GetValueOrDefault(error.Rule) + 1;
            if (_listed.Count < listLimit)
            {
                _listed.Add(error);
            }
        }
    }
}
