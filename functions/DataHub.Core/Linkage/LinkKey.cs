namespace DataHub.Core.Linkage;

/// <summary>The linkage keys, from strongest to weakest (README, "How a file is handled").</summary>
public enum LinkKey
{
    /// <summary>A partner's own person id; links only within the partner that made it.</summary>
    Local,

    /// <summary>NHS number.</summary>
    Nhs,

    /// <summary>Unique Pupil Number.</summary>
    Upn,

    /// <summary>Surname, first forename and date of birth.</summary>
    NameDob,

    /// <summary>Initials, date of birth and sex.</summary>
    Attributor,
}

/// <summary>What happened to one partner record.</summary>
public enum LinkStatus
{
    /// <summary>Matched exactly one cohort person.</summary>
    Linked,

    /// <summary>Its deciding key matched more than one cohort person: left unlinked rather than guessed.</summary>
    Ambiguous,

    /// <summary>No key matched anyone in the cohort.</summary>
    Unlinked,
}

/// <summary>The outcome of linking one record.</summary>
/// <param name="Status">Linked, ambiguous or unlinked.</param>
/// <param name="Person">The cohort person's index when linked, otherwise -1.</param>
/// <param name="Key">The deciding key (linked or ambiguous), otherwise null.</param>
public readonly record struct LinkResult(LinkStatus Status, int Person, LinkKey? Key);

/// <summary>Names of the keys as published in link_quality and as mart column stems.</summary>
public static class LinkKeys
{
    /// <summary>Order in which keys are tried for a record from another partner than the cohort's.</summary>
    public static IReadOnlyList<LinkKey> CrossPartnerOrder { get; } = [LinkKey.Nhs, LinkKey.Upn, LinkKey.NameDob, LinkKey.Attributor];

    /// <summary>Order for a record from the cohort's own partner: its own person id first, it is exact.</summary>
    public static IReadOnlyList<LinkKey> SamePartnerOrder { get; } = [LinkKey.Local, LinkKey.Nhs, LinkKey.Upn, LinkKey.NameDob, LinkKey.Attributor];

    /// <summary>The key's published name: nhs, upn, name_dob, attributor, local.</summary>
    public static string Name(LinkKey key) => key switch
    {
        LinkKey.Nhs => "nhs",
        LinkKey.Upn => "upn",
        LinkKey.NameDob => "name_dob",
        LinkKey.Attributor => "attributor",
        _ => "local",
    };
}
