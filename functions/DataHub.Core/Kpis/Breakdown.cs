namespace DataHub.Core.Kpis;

/// <summary>
/// The breakdown labels: <c>all</c>, or <c>{type}:{value}</c> (published as breakdown_type and breakdown_value); for every
/// type the parts add up to <c>all</c>.
/// </summary>
public static class Breakdown
{
    /// <summary>The whole cohort.</summary>
    public const string All = "all";

    /// <summary>The team dimension's name.</summary>
    public const string TeamDimension = "team";

    /// <summary>The age group dimension's name.</summary>
    public const string AgeDimension = "age_group";

    /// <summary>The label of a team's part, e.g. <c>team:North</c>.</summary>
    public static string Team(string team) => TeamDimension + ":" + team;

    /// <summary>The label of an age group's part: <c>age_group:child</c> or <c>age_group:adult</c>.</summary>
    public static string Age(bool child) => child ? "age_group:child" : "age_group:adult";

    /// <summary>The breakdown type and value as published: <c>(all, all)</c> or the label split at its colon.</summary>
    public static (string Type, string Value) Split(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var colon = label.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (All, All) : (label[..colon], label[(colon + 1)..]);
    }
}
