using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Kpis.Tests.Fixtures;

namespace DataHub.Kpis.Tests.Linkage;

/// <summary>Linking partner records to cohort people by the strongest key, ambiguity, key versions and link quality.</summary>
public sealed class CohortLinkageTests
{
    private static CscPersonRow Person(string id, string family, PersonKeys? keys = null) =>
        new(keys ?? new PersonKeys(BoundaryFixture.Token("nhs", id), null, BoundaryFixture.Token("nd", id), BoundaryFixture.Token("att", id), BoundaryFixture.Token("csc", id)),
            family, null, 1980, 1, "F", "parent", new DateOnly(2018, 1, 10), null, "North", false, false, true);

    [Fact]
    public void Links_by_the_strongest_key_when_keys_disagree()
    {
        var index = CohortIndex.Build([Person("P1", "F1"), Person("P2", "F2")]);
        // NHS number says P1, name_dob says P2: the NHS number decides.
        var result = index.Link(new PersonKeys(Nhs: "v1:nhs-P1", NameDob: "v1:nd-P2"), "mental-health-scores", samePartner: false);
        result.Should().Be(new LinkResult(LinkStatus.Linked, 0, LinkKey.Nhs));
    }

    [Fact]
    public void Falls_back_to_a_weaker_key_when_a_stronger_one_matches_nobody()
    {
        var index = CohortIndex.Build([Person("P1", "F1"), Person("P2", "F2")]);
        var result = index.Link(new PersonKeys(Nhs: "v1:nhs-unknown", NameDob: "v1:nd-P2"), "mental-health-scores", samePartner: false);
        result.Should().Be(new LinkResult(LinkStatus.Linked, 1, LinkKey.NameDob));
    }

    [Fact]
    public void Leaves_a_record_unlinked_when_its_weak_key_matches_two_people()
    {
        var shared = new PersonKeys(null, null, "v1:nd-a", "v1:att-shared", "v1:csc-a");
        var index = CohortIndex.Build([Person("A", "F1", shared), Person("B", "F1", shared with { NameDob = "v1:nd-b", Local = "v1:csc-b" })]);
        var result = index.Link(new PersonKeys(Attributor: "v1:att-shared"), "substance-misuse-tops", samePartner: false);
        result.Status.Should().Be(LinkStatus.Ambiguous);
        result.Person.Should().Be(-1);
    }

    [Fact]
    public void A_person_in_two_families_is_one_person_and_not_ambiguous()
    {
        var index = CohortIndex.Build([Person("P1", "F1"), Person("P1", "F2")]);
        index.People.Should().HaveCount(1);
        index.Allocations.Should().HaveCount(2);
        index.Link(new PersonKeys(Attributor: "v1:att-P1"), "police-da-incidents", samePartner: false).Status.Should().Be(LinkStatus.Linked);
    }

    [Fact]
    public void Uses_the_local_person_id_only_within_the_cohort_partner()
    {
        var index = CohortIndex.Build([Person("P1", "F1")]);
        var keys = new PersonKeys(Local: "v1:csc-P1");
        index.Link(keys, "csc-cp-plans", samePartner: true).Should().Be(new LinkResult(LinkStatus.Linked, 0, LinkKey.Local));
        index.Link(keys, "substance-misuse-tops", samePartner: false).Status.Should().Be(LinkStatus.Unlinked);
    }

    [Fact]
    public void Refuses_to_join_tokens_of_another_key_version()
    {
        var index = CohortIndex.Build([Person("P1", "F1")]);
        var act = () => index.Link(new PersonKeys(Nhs: "v2:nhs-P1"), "police-da-incidents", samePartner: false);
        act.Should().Throw<KeyVersionMismatchException>()
            .Where(e => e.Message.Contains("police-da-incidents", StringComparison.Ordinal) && e.Message.Contains("'v2'", StringComparison.Ordinal)
                && !e.Message.Contains("nhs-P1", StringComparison.Ordinal));
    }

    [Fact]
    public void Refuses_a_cohort_made_under_two_key_versions()
    {
        var act = () => CohortIndex.Build([Person("P1", "F1"), Person("P2", "F2", new PersonKeys(Nhs: "v2:nhs-P2", Local: "v2:csc-P2"))]);
        act.Should().Throw<KeyVersionMismatchException>();
    }

    [Fact]
    public void Reports_link_quality_per_feed_and_key()
    {
        var (_, builder) = new BoundaryFixture().Link();
        var rows = builder.LinkQuality().ToDictionary(r => (r.Feed, r.Key));
        // Police: A2 6 + B3 5 + B4 4 + E1 2 + G1 1 + C5 1 + one stranger = 20 rows; the stranger links to no one.
        rows[("police-da-incidents", "all")].Should().Be(new LinkQualityRow("police-da-incidents", "all", 20, 19, 0, 1));
        rows[("police-da-incidents", "name_dob")].Should().Be(new LinkQualityRow("police-da-incidents", "name_dob", 20, 19, 0, 1));
        // TOPS: D1 and D2 link by attributor (2 forms each); the twins' 2 forms share B1's and B2's attributor: ambiguous.
        rows[("substance-misuse-tops", "all")].Should().Be(new LinkQualityRow("substance-misuse-tops", "all", 6, 4, 2, 0));
        rows[("substance-misuse-tops", "attributor")].Rate.Should().BeApproximately(4.0 / 6, 1e-12);
        // CP plans link by person id: 8 plans, all to cohort-feed people (K1 is in csc-people, outside cohort T's window).
        rows[("csc-cp-plans", "local")].Should().Be(new LinkQualityRow("csc-cp-plans", "local", 8, 8, 0, 0));
    }
}
