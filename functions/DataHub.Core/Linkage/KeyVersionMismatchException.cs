namespace DataHub.Core.Linkage;

/// <summary>Raised when tokens made under different key versions would be joined; such tokens can never match, so the rollup stops.</summary>
public sealed class KeyVersionMismatchException(string feed, string found, string expected)
    : Exception($"Feed '{feed}' holds tokens made under key version '{found}' but the cohort (csc-people) was pseudonymised under '{expected}'. "
        + "Tokens of different key versions cannot be joined: re-ingest the feeds under one key version before rolling up.")
{
    /// <summary>The feed whose tokens differ.</summary>
    public string Feed { get; } = feed;

    /// <summary>The key version found in the feed.</summary>
    public string FoundVersion { get; } = found;

    /// <summary>The cohort's key version.</summary>
    public string ExpectedVersion { get; } = expected;
}
