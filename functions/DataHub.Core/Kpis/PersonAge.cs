namespace DataHub.Core.Kpis;

/// <summary>
/// Ages from the birth year and month the marts keep (never the full date of birth).
/// </summary>
/// <remarks>
/// Age on 31 August is exact from year and month: every birthday in January–August has happened by then and none in
/// September–December has. On any other date the birthday within the birth month is unknown; the hub resolves it as the
/// first of the month (the earliest possible), so a person whose 18th birthday month is the FS start month counts as an
/// adult. The rule is stated in kpi_definitions.
/// </remarks>
public static class PersonAge
{
    /// <summary>Completed years on <paramref name="date"/>, taking the birthday as the first of the birth month.</summary>
    public static int On(int birthYear, int birthMonth, DateOnly date) =>
        date.Year - birthYear - (date.Month < birthMonth ? 1 : 0);

    /// <summary>Under 18 on the date (the FS start date decides child or adult).</summary>
    public static bool IsChildOn(int birthYear, int birthMonth, DateOnly date) => On(birthYear, birthMonth, date) < 18;

    /// <summary>The 31 August before the academic year that contains <paramref name="date"/> (years run 1 September–31 August).</summary>
    public static DateOnly AugustBeforeAcademicYear(DateOnly date) =>
        new(date.Month >= 9 ? date.Year : date.Year - 1, 8, 31);

    /// <summary>Exact age on 31 August of <paramref name="augustYear"/>.</summary>
    public static int OnAugust31(int birthYear, int birthMonth, int augustYear) => On(birthYear, birthMonth, new DateOnly(augustYear, 8, 31));

    /// <summary>True when the child was 5–15 on the 31 August before the academic year containing <paramref name="date"/>.</summary>
    public static bool IsCompulsorySchoolAge(int birthYear, int birthMonth, DateOnly date)
    {
        var age = OnAugust31(birthYear, birthMonth, AugustBeforeAcademicYear(date).Year);
        return age is >= 5 and <= 15;
    }
}
