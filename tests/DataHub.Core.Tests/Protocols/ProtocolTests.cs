using DataHub.Core.Feeds;
using DataHub.Core.Protocols;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Protocols;

public sealed class ProtocolTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static ProtocolSet Demo() => ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols"));

    private const string Profiles = """
        disclosure_profiles:
          standard: {threshold: 4, suppress_zeros: false, rounding_base: 5, minimum_denominator: 10}
        """;

    private static string Police(string validTo = "2030-12-31", string fields = "[incident_id, incident_date, role, forename, surname, date_of_birth, sex, crime, marac_referral]", string extra = "") => $"""
        partner: police
        agreement_id: DSA-TEST-1
        lawful_basis: public task
        valid_from: 2024-01-01
        valid_to: {validTo}
        feeds:
          police-da-incidents:
            purpose: testing
            fields: {fields}
            tolerated_row_error_rate: 0.05
            retention: {"{raw_days: 30, mart_days: 365}"}
            disclosure_profile: standard
            expected_cadence: monthly
            due_day: 15
        {extra}
        """;

    [Fact]
    public void Demo_protocols_cover_every_demo_partner_and_are_in_force_through_2030()
    {
        var set = Demo();
        set.Partners.Select(p => p.Partner).Should().BeEquivalentTo("csc", "police", "icb", "substance-misuse", "schools", "da-programmes", "mental-health");
        set.Partners.SelectMany(p => p.Feeds.Keys).Should().BeEquivalentTo(FeedCatalog.All.Select(c => c.Name), "every feed has exactly one sending partner in the demo");
        foreach (var partner in set.Partners)
        {
            partner.InForceOn(Today).Should().BeTrue();
            partner.InForceOn(new DateOnly(2030, 12, 31)).Should().BeTrue();
        }

        set.Profiles.Should().ContainKey("standard");
    }

    [Fact]
    public void Allows_a_feed_in_a_live_agreement_and_cites_it()
    {
        var decision = Demo().Check("police", "police-da-incidents", Today);
        decision.Allowed.Should().BeTrue();
        decision.AgreementId.Should().Be("DSA-FS-2024-POL-01");
        decision.Agreement!.ToleratedRowErrorRate.Should().Be(0.05);
    }

    [Fact]
    public void Refuses_a_partner_with_no_agreement()
    {
        var decision = Demo().Check("acme-ltd", "police-da-incidents", Today);
        decision.Allowed.Should().BeFalse();
        decision.Rule.Should().Be(ProtocolRules.UnknownPartner);
        decision.AgreementId.Should().Be("none");
    }

    [Fact]
    public void Refuses_an_unknown_feed_and_a_feed_outside_the_partners_agreement()
    {
        Demo().Check("police", "police-stop-search", Today).Rule.Should().Be(ProtocolRules.UnknownFeed);
        var outside = Demo().Check("police", "school-attendance", Today);
        outside.Rule.Should().Be(ProtocolRules.FeedNotInAgreement);
        outside.Reason.Should().Contain("DSA-FS-2024-POL-01");
    }

    [Fact]
    public void Refuses_an_expired_agreement_and_one_not_yet_in_force()
    {
        var set = ProtocolLoader.Load([("_profiles.yaml", Profiles), ("police.yaml", Police(validTo: "2025-03-31"))]);
        var expired = set.Check("police", "police-da-incidents", Today);
        expired.Allowed.Should().BeFalse();
        expired.Rule.Should().Be(ProtocolRules.Expired);
        expired.Reason.Should().Contain("2025-03-31").And.Contain("DSA-TEST-1");
        set.Check("police", "police-da-incidents", new DateOnly(2023, 12, 31)).Rule.Should().Be(ProtocolRules.NotYetInForce);
        set.Check("police", "police-da-incidents", new DateOnly(2025, 3, 31)).Allowed.Should().BeTrue("the last day is inclusive");
    }

    private static string Csc(string action) => $"""
        partner: csc
        agreement_id: DSA-TEST-2
        lawful_basis: public task
        valid_from: 2024-01-01
        valid_to: 2030-12-31
        feeds:
          csc-cp-plans:
            purpose: testing
            fields: [person_id, plan_key, start_date]
            unexpected_field: {action}
            tolerated_row_error_rate: 0.05
            retention: {"{raw_days: 30, mart_days: 365}"}
            disclosure_profile: standard
            expected_cadence: quarterly
            due_day: 10
        """;

    [Fact]
    public void Rejects_a_header_with_a_column_outside_the_allow_list()
    {
        var set = ProtocolLoader.Load([("_profiles.yaml", Profiles), ("csc.yaml", Csc("reject"))]);
        var decision = ProtocolSet.CheckHeader(set.Find("csc")!.Feeds["csc-cp-plans"], FeedCatalog.Find("csc-cp-plans")!, ["Person ID", "plan_key", "Start-Date", "end_date", "Religion"]);
        decision.Allowed.Should().BeFalse();
        decision.ColumnsOutsideAgreement.Should().Equal("end_date", "Religion");
    }

    [Fact]
    public void Drops_columns_outside_the_allow_list_when_the_agreement_says_drop()
    {
        var set = ProtocolLoader.Load([("_profiles.yaml", Profiles), ("csc.yaml", Csc("drop"))]);
        var decision = ProtocolSet.CheckHeader(set.Find("csc")!.Feeds["csc-cp-plans"], FeedCatalog.Find("csc-cp-plans")!, ["person_id", "plan_key", "start_date", "end_date"]);
        decision.Allowed.Should().BeTrue();
        decision.ColumnsOutsideAgreement.Should().Equal("end_date");
        decision.FieldsNotAllowed.Should().Equal("end_date");
    }

    [Theory]
    [InlineData("fields: [incident_id, incident_date, role, crime, marac_referral, shoe_size]", "shoe_size")]
    [InlineData("fields: [incident_id, role, crime, marac_referral]", "incident_date")]
    public void Refuses_a_protocol_whose_allow_list_does_not_fit_the_contract(string fields, string named)
    {
        var yaml = Police(fields: fields["fields: ".Length..]);
        var act = () => ProtocolLoader.Load([("_profiles.yaml", Profiles), ("police.yaml", yaml)]);
        act.Should().Throw<ProtocolFormatException>().WithMessage($"*police.yaml*{named}*");
    }

    [Theory]
    [InlineData("due_day: 15\n    shoe_size: 9", "line 15: Property 'shoe_size' not found")]
    [InlineData("due_day: fifteen", "line 14: ")]
    public void Refuses_a_protocol_key_it_does_not_know_or_a_value_of_the_wrong_type_naming_the_line(string replacement, string message)
    {
        // A misspelt key must not be ignored: the agreement would then say less than its author meant.
        var act = () => ProtocolLoader.Load([("_profiles.yaml", Profiles), ("police.yaml", Police().Replace("due_day: 15", replacement, StringComparison.Ordinal))]);
        act.Should().Throw<ProtocolFormatException>().WithMessage($"Protocol file police.yaml: {message}*");
    }

    [Theory]
    [InlineData("expected_cadence: monthly", "", "expected_cadence is missing")]
    [InlineData("expected_cadence: monthly", "expected_cadence: weekly", "'weekly'")]
    [InlineData("due_day: 15", "", "due_day is missing")]
    [InlineData("due_day: 15", "due_day: 31", "from 1 to 28")]
    [InlineData("due_day: 15", "due_day: 0", "from 1 to 28")]
    public void Refuses_a_feed_without_a_valid_expected_cadence_and_due_day(string line, string replacement, string message)
    {
        var act = () => ProtocolLoader.Load([("_profiles.yaml", Profiles), ("police.yaml", Police().Replace(line, replacement, StringComparison.Ordinal))]);
        act.Should().Throw<ProtocolFormatException>().WithMessage($"*police.yaml*police-da-incidents*{message}*");
    }

    [Fact]
    public void Reads_the_expected_cadence_and_the_due_date_of_a_period()
    {
        var police = ProtocolLoader.Load([("_profiles.yaml", Profiles), ("police.yaml", Police())]).Find("police")!.Feeds["police-da-incidents"];
        var csc = ProtocolLoader.Load([("_profiles.yaml", Profiles), ("csc.yaml", Csc("reject"))]).Find("csc")!.Feeds["csc-cp-plans"];

        police.ExpectedCadence.Should().Be(DeliveryCadence.Monthly);
        police.DueDateFor(new DateOnly(2018, 2, 3)).Should().Be(new DateOnly(2018, 3, 15), "February's delivery is due on the 15th of March");
        csc.ExpectedCadence.Should().Be(DeliveryCadence.Quarterly);
        csc.DueDateFor(new DateOnly(2018, 12, 31)).Should().Be(new DateOnly(2019, 1, 10), "the fourth quarter's delivery is due on 10 January");
        DeliveryCadence.Quarterly.PeriodOf(new DateOnly(2018, 5, 9)).Should().Be((new DateOnly(2018, 4, 1), new DateOnly(2018, 6, 30)));
    }

    [Fact]
    public void Refuses_a_protocol_naming_an_undefined_disclosure_profile()
    {
        var act = () => ProtocolLoader.Load([("_profiles.yaml", Profiles), ("police.yaml", Police().Replace("disclosure_profile: standard", "disclosure_profile: lax", StringComparison.Ordinal))]);
        act.Should().Throw<ProtocolFormatException>().WithMessage("*lax*");
    }

    [Fact]
    public void Reads_the_disclosure_profiles_the_disclosure_module_applies()
    {
        var profile = Demo().Profiles["standard"];
        profile.Threshold.Should().BeGreaterThan(0);
        profile.RoundingBase.Should().Be(5);
        profile.MinimumDenominator.Should().BeGreaterThan(0);
    }
}
