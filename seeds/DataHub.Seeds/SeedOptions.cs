namespace DataHub.Seeds;

/// <summary>What to generate: the seed, the number of cohort families and how partners write their files.</summary>
public sealed record SeedOptions
{
    /// <summary>The seed; the same options always give byte-identical files.</summary>
    public int Seed { get; init; } = SyntheticHub.DefaultSeed;

    /// <summary>The number of families in the Family Safeguarding cohorts (about four people each).</summary>
    public int Families { get; init; } = SyntheticHub.DefaultFamilies;

    /// <summary>How finely schools report attendance; fortnights give the county-scale benchmark's ~2M rows at 10,000 families.</summary>
    public AttendancePeriods AttendancePeriods { get; init; } = AttendancePeriods.HalfTerms;

    /// <summary>Write the schools' files as XLSX (one workbook per academic year); false writes CSV.</summary>
    public bool SchoolsAsXlsx { get; init; } = true;

    /// <summary>Record per-row ground truth (which cohort person each partner row belongs to); off for very large runs.</summary>
    public bool GroundTruth { get; init; } = true;
}

/// <summary>The length of the periods a school reports attendance for.</summary>
public enum AttendancePeriods
{
    /// <summary>Three terms a year.</summary>
    Terms,

    /// <summary>Six half-terms a year.</summary>
    HalfTerms,

    /// <summary>Two school weeks at a time, about 19 a year.</summary>
    Fortnights,

    /// <summary>About 38 school weeks a year.</summary>
    Weeks,
}
