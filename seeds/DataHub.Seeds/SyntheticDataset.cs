namespace DataHub.Seeds;

/// <summary>The generated multi-agency dataset: partner files, every raw identifying value written, and linkage ground truth.</summary>
/// <param name="Options">The options it was generated with.</param>
/// <param name="Files">One or more files per feed, for the demo partners.</param>
/// <param name="RawValues">Every raw identifier, name and full date of birth written into the files (for privacy scans).</param>
/// <param name="People">Every synthetic person, in and out of the cohort.</param>
/// <param name="Records">Per partner row: whose it is and which key should link it (empty when ground truth is off).</param>
public sealed record SyntheticDataset(
    SeedOptions Options,
    IReadOnlyList<SyntheticFile> Files,
    RawValues RawValues,
    IReadOnlyList<SyntheticPerson> People,
    IReadOnlyList<RecordTruth> Records)
{
    /// <summary>The files of one feed.</summary>
    public IEnumerable<SyntheticFile> FilesOf(string feed) => Files.Where(f => f.Feed == feed);
}

/// <summary>One partner file as it would land: <c>landing/{Partner}/{Feed}/{FileName}</c>.</summary>
/// <param name="Partner">The partner's landing folder name, e.g. "police".</param>
/// <param name="Feed">The feed name, e.g. "police-da-incidents".</param>
/// <param name="FileName">The file's name, with .csv or .xlsx.</param>
/// <param name="Content">The file's bytes.</param>
public sealed record SyntheticFile(string Partner, string Feed, string FileName, byte[] Content)
{
    /// <summary>The path under the landing container: "{partner}/{feed}/{fileName}".</summary>
    public string LandingPath => $"{Partner}/{Feed}/{FileName}";
}

/// <summary>The raw identifying values written into the files, by kind, for scans that must find none of them downstream.</summary>
/// <param name="Identifiers">NHS numbers (as written and as ten digits), UPNs, CSC person ids, substance misuse client ids.</param>
/// <param name="Names">Forenames and surnames exactly as written (each at least two characters).</param>
/// <param name="DatesOfBirth">Full dates of birth in every format written: ISO yyyy-MM-dd and UK dd/MM/yyyy.</param>
public sealed record RawValues(IReadOnlyCollection<string> Identifiers, IReadOnlyCollection<string> Names, IReadOnlyCollection<string> DatesOfBirth)
{
    /// <summary>Every value of every kind.</summary>
    public IEnumerable<string> All => Identifiers.Concat(Names).Concat(DatesOfBirth);
}

/// <summary>One synthetic person with their true identity and what the children's social care (CSC) feed knows of them.</summary>
/// <param name="Index">A stable number for the person.</param>
/// <param name="PersonId">The CSC person id (D01) for cohort people; null for people outside the cohort.</param>
/// <param name="FamilyKeys">The cohort families (R01) the person belongs to; usually one, sometimes two.</param>
/// <param name="Forename">The true first forename.</param>
/// <param name="Surname">The true surname.</param>
/// <param name="DateOfBirth">The true date of birth.</param>
/// <param name="Sex">M, F or U.</param>
/// <param name="NhsNumber">The true NHS number (ten digits).</param>
/// <param name="Upn">The true UPN for children of school age, else null.</param>
/// <param name="CscHasNhs">The CSC feed carries the NHS number.</param>
/// <param name="CscHasUpn">The CSC feed carries the UPN.</param>
/// <param name="FsStartDate">The person's (first) family's FS start date, for cohort people.</param>
public sealed record SyntheticPerson(
    int Index,
    string? PersonId,
    IReadOnlyList<string> FamilyKeys,
    string Forename,
    string Surname,
    DateOnly DateOfBirth,
    string Sex,
    string NhsNumber,
    string? Upn,
    bool CscHasNhs,
    bool CscHasUpn,
    DateOnly? FsStartDate)
{
    /// <summary>True for people in the CSC cohort feed.</summary>
    public bool InCohort => PersonId is not null;
}

/// <summary>Ground truth for one partner row.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="FileName">The file the row is in.</param>
/// <param name="Line">The row's line (CSV) or sheet row (XLSX); the header is line 1.</param>
/// <param name="PersonIndex">The synthetic person the row is really about.</param>
/// <param name="CohortPersonId">That person's CSC person id, or null when they are not in the cohort.</param>
/// <param name="ExpectedKey">How the hub should link the row to the cohort: "nhs", "upn", "name_dob", "attributor" or "local"
/// (the strongest key shared with exactly one cohort person), "ambiguous" (a weak key matches several), or "none".</param>
/// <param name="ExpectedPersonId">The cohort person id the hub should link the row to (null for "ambiguous" and "none").</param>
public sealed record RecordTruth(string Feed, string FileName, long Line, int PersonIndex, string? CohortPersonId, string ExpectedKey, string? ExpectedPersonId);
