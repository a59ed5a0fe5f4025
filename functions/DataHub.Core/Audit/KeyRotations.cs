namespace DataHub.Core.Audit;

/// <summary>The <see cref="AuditKinds.KeyRotated"/> events, written and read back in one place: which key a rotation turned.</summary>
public static class KeyRotations
{
    /// <summary>The rule both rotations are recorded under.</summary>
    public const string Rule = "key.rotated";

    // The sentences' openings, as every log since rotations were audited words them: the deliveries table tells an audit key
    // rotation (which changes no file's label) by its opening, and takes any other rotation for a pseudonymisation one.
    private const string PseudonymisationOpening = "Pseudonymisation key version ";
    private const string AuditOpening = "Audit key version ";

    /// <summary>The event of pseudonymisation key version <paramref name="version"/> made current.</summary>
    public static AuditEntry Pseudonymisation(string version) =>
        new(AuditKinds.KeyRotated, Rule: Rule, Detail: $"{PseudonymisationOpening}{version} is now current: tokens made from here do not join tokens of earlier versions.");

    /// <summary>The event of audit key version <paramref name="version"/> made current.</summary>
    public static AuditEntry Audit(string version) =>
        new(AuditKinds.KeyRotated, Rule: Rule, Detail: $"{AuditOpening}{version} is now current: events from here are sealed under it.");

    /// <summary>True when <paramref name="entry"/> records a pseudonymisation key rotation: file labels made after it differ from those made before.</summary>
    /// <remarks>Any rotation not worded as the audit key's counts: taking one for a pseudonymisation rotation at worst merges
    /// two files of one content into a row, whereas missing one can leave a stored batch counted on no row.</remarks>
    public static bool TurnsLabels(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Kind == AuditKinds.KeyRotated && entry.Detail?.StartsWith(AuditOpening, StringComparison.Ordinal) != true;
    }
}
