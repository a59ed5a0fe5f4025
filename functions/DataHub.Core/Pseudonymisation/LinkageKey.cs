namespace DataHub.Core.Pseudonymisation;

/// <summary>The five linkage keys, strongest first; each is HMAC'd under its own domain label.</summary>
public enum LinkageKey
{
    /// <summary>NHS number (10 digits, mod-11 valid).</summary>
    Nhs,

    /// <summary>Unique Pupil Number (13 characters, check letter valid).</summary>
    Upn,

    /// <summary>Surname + first forename + date of birth.</summary>
    NameDob,

    /// <summary>Forename initial + surname initial + date of birth + sex (NDTMS style).</summary>
    Attributor,

    /// <summary>A partner's own person id, namespaced by partner: links only within that partner.</summary>
    Local,
}

/// <summary>The names linkage keys go by in tokens' domain labels and in mart column names.</summary>
public static class LinkageKeys
{
    /// <summary>Every key, strongest first.</summary>
    public static IReadOnlyList<LinkageKey> All { get; } = [LinkageKey.Nhs, LinkageKey.Upn, LinkageKey.NameDob, LinkageKey.Attributor, LinkageKey.Local];

    /// <summary>The key's domain label: nhs, upn, name_dob, attributor, local.</summary>
    public static string Label(this LinkageKey key) => key switch
    {
        LinkageKey.Nhs => "nhs",
        LinkageKey.Upn => "upn",
        LinkageKey.NameDob => "name_dob",
        LinkageKey.Attributor => "attributor",
        LinkageKey.Local => "local",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown linkage key."),
    };

    /// <summary>The mart column holding the key's token, e.g. "nhs_token".</summary>
    public static string TokenColumn(this LinkageKey key) => key.Label() + "_token";
}
