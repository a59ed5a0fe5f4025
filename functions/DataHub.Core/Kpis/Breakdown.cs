namespace DataHub.Core.Kpis;

/// <summary>The published breakdown labels: <c>all</c>, or <c>{dimension}:{value}</c>; for every dimension the parts add up to <c>all</c>.</summary>
public static class Breakdown
{
    /// <summary>The whole cohort.</summary>
    public const string All = "all";

    /// <summary>The team dimension's name.</summary>
    public const string TeamDimension = "team";

    /// <summary>The age group dimension's name.</summary>
    public const string AgeDimension = "age";

    /// <summary>The label of a team's part, e.g. <c>team:North</c>.</summary>
    public static string Team(string team) => TeamDimension + ":" + team;

    /// <summary>The label of an age group's part: <c>age:child</c> or <c>age:adult</c>.</summary>
    public static string Age(bool child) => child ? "age:child" : "age:adult";
}
