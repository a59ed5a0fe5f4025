namespace DataHub.Core.Feeds;

/// <summary>One partner feed's published contract: its fields, their types and rules, its natural key and what a delivery reports on.</summary>
/// <param name="Name">The feed name, which is also its landing folder name, e.g. "police-da-incidents".</param>
/// <param name="Title">What the feed holds, in a few words for readers who do not know its name, e.g. "Domestic abuse incidents".</param>
/// <param name="Fields">The fields in contract order.</param>
/// <param name="QuarterField">The stored date field whose calendar quarter files a row under in the secure mart, or null
/// when the feed carries its own quarter label (health-aggregates' "quarter").</param>
/// <param name="PersonLevel">False for feeds that are already aggregate and carry no person data.</param>
/// <param name="RecordKey">What identifies one record across deliveries, and what a later delivery of it does.</param>
/// <param name="Coverage">Which periods a delivery of the feed reports on.</param>
public sealed record FeedContract(
    string Name,
    string Title,
    IReadOnlyList<FieldSpec> Fields,
    string? QuarterField,
    bool PersonLevel = true,
    RecordKey? RecordKey = null,
    FeedCoverage Coverage = FeedCoverage.Events)
{
    /// <summary>The feed for readers: what it holds with its name in brackets, e.g. "Domestic abuse incidents (police-da-incidents)".</summary>
    public string DisplayName => $"{Title} ({Name})";

    /// <summary>The field with this contract name; null when the contract has none.</summary>
    public FieldSpec? Find(string name) => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
}

/// <summary>A feed's natural key: the fields that identify one record, whichever delivery it comes in.</summary>
/// <param name="Fields">Contract field names; <c>person</c> stands for the person the row's identifiers link to (the hub keeps
/// only their tokens).</param>
/// <param name="Rule">What happens when a record with the same key arrives again, in words for the partner and the analyst.</param>
public sealed record RecordKey(IReadOnlyList<string> Fields, string Rule);

/// <summary>Which periods a delivery reports on, so the hub can tell a quarter with nothing to report from one not received.</summary>
public enum FeedCoverage
{
    /// <summary>Each delivery holds the records dated in the periods it spans (the feed's period field, from its first to its
    /// last date); periods no delivery spans have not been received.</summary>
    Events,

    /// <summary>Each delivery is the partner's whole current state (records of any date) as at its extract: it reports on every
    /// period up to the last whole period before it was received.</summary>
    Snapshot,
}

/// <summary>One field of a feed contract.</summary>
/// <param name="Name">The canonical snake_case name, as partners are told and as the mart stores it.</param>
/// <param name="Type">How the text is parsed.</param>
/// <param name="Handling">Whether the value is stored, pseudonymised or only used for matching.</param>
/// <param name="Required">A required field's column must be present and its cells non-empty.</param>
/// <param name="Identity">What the value contributes to the linkage keys (None for plain data).</param>
/// <param name="AllowedValues">For <see cref="FieldType.Code"/>: the accepted values (compared case-insensitively and ignoring spaces,
/// hyphens and underscores, as headers are; stored as listed). For a <see cref="FieldType.Label"/>, null in the catalog; the
/// cohort label gets the configured cohort names when the hub reads a delivery (<see cref="FeedCatalog.WithCohorts"/>).</param>
/// <param name="Minimum">For <see cref="FieldType.Integer"/>: the smallest accepted value.</param>
/// <param name="Maximum">For <see cref="FieldType.Integer"/>: the largest accepted value.</param>
/// <param name="ToolkitCode">The KPI toolkit's field code (R03, D01, …) where it has one.</param>
public sealed record FieldSpec(
    string Name,
    FieldType Type,
    FieldHandling Handling,
    bool Required,
    IdentityPart Identity = IdentityPart.None,
    IReadOnlyList<string>? AllowedValues = null,
    int? Minimum = null,
    int? Maximum = null,
    string? ToolkitCode = null);

/// <summary>How a field's text is parsed into a typed value.</summary>
public enum FieldType
{
    /// <summary>Free text, trimmed; parsed to <see cref="string"/>. Stored, it is a reference the partner's system gives a
    /// record (an incident id, a key), which must carry no identifier (<see cref="Validation.FreeTextScreen"/>).</summary>
    Text,

    /// <summary>Free text like <see cref="Text"/>, but a name from a short list many people share (a team, a programme), whose
    /// words may be surnames too (North, Green); the free-text screen refuses a person's name in it only when both their
    /// forename and their surname are there.</summary>
    Label,

    /// <summary>A value from a fixed list; parsed to the listed <see cref="string"/>.</summary>
    Code,

    /// <summary>ISO yyyy-MM-dd or UK dd/MM/yyyy only; parsed to <see cref="DateOnly"/>.</summary>
    Date,

    /// <summary>A whole number; parsed to <see cref="int"/>.</summary>
    Integer,

    /// <summary>Y/N, Yes/No, true/false, 1/0; parsed to <see cref="bool"/>.</summary>
    Boolean,
}

/// <summary>What the hub does with a field's value after validation.</summary>
public enum FieldHandling
{
    /// <summary>Kept as a typed value in the secure mart.</summary>
    Stored,

    /// <summary>An identifier: normalised and pseudonymised into linkage tokens, never stored.</summary>
    Identifier,

    /// <summary>Used to make linkage tokens only, then dropped; never stored.</summary>
    Drop,
}

/// <summary>The part a field plays in making the linkage keys (README, "How a file is handled").</summary>
public enum IdentityPart
{
    /// <summary>Plays no part.</summary>
    None,

    /// <summary>NHS number: the nhs key.</summary>
    NhsNumber,

    /// <summary>Unique Pupil Number: the upn key.</summary>
    Upn,

    /// <summary>First forename: name_dob, and its initial for attributor.</summary>
    Forename,

    /// <summary>Surname: name_dob, and its initial for attributor.</summary>
    Surname,

    /// <summary>A forename initial only: attributor.</summary>
    ForenameInitial,

    /// <summary>A surname initial only: attributor.</summary>
    SurnameInitial,

    /// <summary>Date of birth: name_dob and attributor; stored as year and month only.</summary>
    DateOfBirth,

    /// <summary>Sex (M/F/U): attributor; also stored.</summary>
    Sex,

    /// <summary>A partner's own person id: the local key, namespaced by partner.</summary>
    LocalId,
}
