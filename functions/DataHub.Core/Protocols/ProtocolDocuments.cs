using YamlDotNet.Serialization;

namespace DataHub.Core.Protocols;

/// <summary>The YAML metadata of the protocol documents, generated at build: loading the protocols needs no reflection.</summary>
/// <remarks>Public only because the generator declares its half of the class public; nothing outside the loader uses it.</remarks>
[YamlStaticContext]
[YamlSerializable(typeof(PartnerDocument))]
[YamlSerializable(typeof(ScorecardDocument))]
[YamlSerializable(typeof(FeedDocument))]
[YamlSerializable(typeof(RetentionDocument))]
[YamlSerializable(typeof(ProfilesDocument))]
[YamlSerializable(typeof(ProfileDocument))]
public sealed partial class ProtocolYaml : StaticContext;

// YAML shapes of the protocol files: mutable only because the deserializer fills them; ProtocolLoader maps them straight
// into the protocol records.
internal sealed class PartnerDocument
{
    public string? Partner { get; set; }

    public string? Name { get; set; }

    public string? AgreementId { get; set; }

    public string? LawfulBasis { get; set; }

    public string? ValidFrom { get; set; }

    public string? ValidTo { get; set; }

    public Dictionary<string, FeedDocument?>? Feeds { get; set; }

    public ScorecardDocument? Scorecard { get; set; }
}

internal sealed class ScorecardDocument
{
    public int? LateRedDays { get; set; }

    public double? CompletenessAmber { get; set; }

    public double? CompletenessRed { get; set; }

    public double? RejectedAmber { get; set; }

    public double? RejectedRed { get; set; }

    public double? DuplicatesAmber { get; set; }

    public double? DuplicatesRed { get; set; }

    public double? CoverageAmber { get; set; }

    public double? CoverageRed { get; set; }
}

internal sealed class FeedDocument
{
    public string? Purpose { get; set; }

    public List<string>? Fields { get; set; }

    public string? UnexpectedField { get; set; }

    public double? ToleratedRowErrorRate { get; set; }

    public RetentionDocument? Retention { get; set; }

    public string? DisclosureProfile { get; set; }

    public string? ExpectedCadence { get; set; }

    public int? DueDay { get; set; }
}

internal sealed class RetentionDocument
{
    public int? RawDays { get; set; }

    public int? MartDays { get; set; }
}

internal sealed class ProfilesDocument
{
    public Dictionary<string, ProfileDocument?>? DisclosureProfiles { get; set; }
}

internal sealed class ProfileDocument
{
    public int? Threshold { get; set; }

    public bool? SuppressZeros { get; set; }

    public int? RoundingBase { get; set; }

    public int? MinimumDenominator { get; set; }
}
