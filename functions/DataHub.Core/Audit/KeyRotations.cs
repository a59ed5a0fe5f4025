namespace DataHub.Core.Audit;

/// <summary>The <see cref="AuditKinds.KeyRotated"/> events, written and read back in one place: which key a rotation turned.</summary>
public static class KeyRotations
{
    /// <summary>The rule both rotations are recorded under.</summary>
    public const string Rule = "key.rotated";

    // The sentences' openings: the deliveries table tells a pseudonymisation key rotation (which changes every file's label)
    // from an audit key rotation (which changes none) by them, as every log since rotations were audited words them.
    private const string PseudonymisationOpening = "Pseudonymisation key version ";
    private const string AuditOpening = "Audit key version ";

    /// <summary>The event of pseudonymisation key version <paramref name="version"/> made current.</summary>
    public static AuditEntry Pseudonymisation(string version) =>
        new(AuditKinds.KeyRotated, Rule: Rule, Detail: $"{PseudonymisationOpening}{version} is now current: tokens made from here do not join tokens of earlier versions.");

    /// <summary>The event of audit key version <paramref name="version"/> made current.</summary>
    public static AuditEntry Audit(string version) =>
        new(AuditKinds.KeyRotated, Rule: Rule, Detail: $"{AuditOpening}{version} is now current: events from here are sealed under it.");

    /// <summary>True when <paramref name="entry"/> records a pseudonymisation key rotation: file labels made after it differ from those made before.</summary>
    public static bool TurnsLabels(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Kind == AuditKinds.KeyRotated && entry.Detail?.StartsWith(PseudonymisationOpening, StringComparison.Ordinal) == true;
    }
}
