using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Governance;

/// <summary>Issue 16, acceptance 2: a feed delivered late, or not at all, shows amber or red for timeliness, with the expected and actual dates.</summary>
public sealed class TimelinessTests
{
    private static readonly ProtocolSet Protocols = ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols"));
    private static readonly PartnerProtocol Police = Protocols.Partners.Single(p => p.Partner == "police");
    private static readonly Quarter Q1 = new(2025, 1);

    // A police delivery covering one month (monthly cadence, due on the 15th of the month after), received on a given day.
    private static (DateOnly From, DateOnly To, DateOnly ReceivedOn) Month(int month, DateOnly received) =>
        (new DateOnly(2025, month, 1), new DateOnly(2025, month, DateTime.DaysInMonth(2025, month)), received);

    private static TimelinessScore Score(params (DateOnly, DateOnly, DateOnly)[] received) =>
        Timeliness.Score(Police, Police.Feeds["police-da-incidents"], Q1, received, new DateOnly(2025, 12, 1));

    [Fact]
    public void Every_month_by_its_due_date_is_green_with_the_last_due_date_and_arrival()
    {
        var score = Score(Month(1, new(2025, 2, 10)), Month(2, new(2025, 3, 15)), Month(3, new(2025, 4, 2)));

        score.Status.Should().Be(Rag.Green);
        score.ExpectedDate.Should().Be(new DateOnly(2025, 4, 15), "March is due on the 15th of April");
        score.ActualDate.Should().Be(new DateOnly(2025, 4, 2));
        score.PeriodsLate.Should().Be(0);
    }

    [Fact]
    public void A_month_delivered_late_within_the_agreements_red_threshold_is_amber_beyond_it_red()
    {
        var amber = Score(Month(1, new(2025, 2, 10)), Month(2, new(2025, 4, 4)), Month(3, new(2025, 4, 2)));
        amber.Status.Should().Be(Rag.Amber, "February was due on 15 March and came 20 days late; police's red threshold is 30 days");
        amber.DaysLate.Should().Be(20);
        amber.PeriodsLate.Should().Be(1);
        amber.ActualDate.Should().Be(new DateOnly(2025, 4, 4), "the quarter was complete when February arrived");

        var red = Score(Month(1, new(2025, 2, 10)), Month(2, new(2025, 3, 1)), Month(3, new(2025, 6, 2)));
        red.Status.Should().Be(Rag.Red, "March was due on 15 April and came 48 days late");
        red.DaysLate.Should().Be(48);
    }

    [Fact]
    public void A_quarter_not_received_is_red_with_its_due_date_and_no_arrival()
    {
        var score = Score();

        score.Status.Should().Be(Rag.Red);
        score.PeriodsExpected.Should().Be(3);
        score.PeriodsReceived.Should().Be(0);
        score.ExpectedDate.Should().Be(new DateOnly(2025, 4, 15));
        score.ActualDate.Should().BeNull();
        score.DaysLate.Should().Be(new DateOnly(2025, 12, 1).DayNumber - new DateOnly(2025, 2, 15).DayNumber, "January has waited since its due date");
    }

    [Fact]
    public void Periods_not_yet_due_are_not_rated()
    {
        var score = Timeliness.Score(Police, Police.Feeds["police-da-incidents"], Q1, [], new DateOnly(2025, 2, 1));

        score.Status.Should().Be(Rag.None);
        score.PeriodsLate.Should().Be(0);
    }

    [Fact]
    public void History_due_before_the_agreement_came_into_force_is_not_rated_however_late_it_arrives()
    {
        // Police's agreement is in force from 1 January 2024; a first load in 2025 carries records back to 2015.
        var history = new Quarter(2015, 1);
        var sent = new[] { (history.Start, history.End, new DateOnly(2025, 3, 1)) };

        var score = Timeliness.Score(Police, Police.Feeds["police-da-incidents"], history, sent, new DateOnly(2025, 12, 1));

        score.Status.Should().Be(Rag.None, "no agreement owed these months on their due dates");
        score.PeriodsExpected.Should().Be(0);
        score.PeriodsLate.Should().Be(0);
        score.DaysLate.Should().Be(0);
        score.ActualDate.Should().Be(new DateOnly(2025, 3, 1), "when the history came is still told");
    }

    [Fact]
    public void In_the_quarter_an_agreement_starts_only_the_periods_due_after_it_are_owed()
    {
        // October and November 2023 were due on 15 November and 15 December 2023, before the agreement; December on 15 January 2024.
        var score = Timeliness.Score(Police, Police.Feeds["police-da-incidents"], new Quarter(2023, 4), [], new DateOnly(2024, 3, 1));

        score.Status.Should().Be(Rag.Red);
        score.PeriodsExpected.Should().Be(1);
        score.PeriodsLate.Should().Be(1);
        score.DaysLate.Should().Be(new DateOnly(2024, 3, 1).DayNumber - new DateOnly(2024, 1, 15).DayNumber);
    }

    [Fact]
    public void The_scorecard_table_shows_a_missing_quarter_red_between_delivered_ones_with_expected_and_actual_dates()
    {
        // The DA programme provider (quarterly, due on the 15th of the month after) sent January–March and July–September 2025 on time; April–June never came.
        var events = new List<AuditEvent>();
        AuditEvent? last = null;
        void Add(AuditEntry entry, DateTimeOffset at) => events.Add(last = UnkeyedAudit.Seal(entry, last, at));
        foreach (var (batch, sha, at, quarter) in new[] { ("da-programmes-aaaa", new string('a', 64), new DateTimeOffset(2025, 4, 10, 9, 0, 0, TimeSpan.Zero), "2025Q1"), ("da-programmes-bbbb", new string('b', 64), new DateTimeOffset(2025, 10, 14, 9, 0, 0, TimeSpan.Zero), "2025Q3") })
        {
            AuditEntry Step(string kind, IReadOnlyDictionary<string, long>? counts = null, string? path = null) =>
                new(kind, "da-programmes", "da-programmes", "DSA-FS-2024-DAP-01", sha, path ?? "landing/da-programmes/da-programmes/x.csv", batch, Counts: counts);
            Add(Step(AuditKinds.Received), at);
            Add(Step(AuditKinds.Validated, new Dictionary<string, long> { ["rows_read"] = 100, ["rows_accepted"] = 98, ["rows_rejected"] = 2 }), at);
            Add(Step(AuditKinds.RowsRejected, new Dictionary<string, long> { ["date.format"] = 2 }), at);
            Add(Step(AuditKinds.Pseudonymised, new Dictionary<string, long> { ["rows"] = 98, ["rows_with_name_dob"] = 98 }), at);
            Add(Step(AuditKinds.Written, new Dictionary<string, long> { ["rows"] = 98 }, $"secure/da-programmes/quarter={quarter}/{batch}.parquet"), at);
            Add(Step(AuditKinds.Archived), at);
        }

        var deliveries = DeliveryLedger.From(events);
        var spans = new[]
        {
            new FeedDelivery("da-programmes", "da-programmes-aaaa", new DateOnly(2025, 1, 1), new DateOnly(2025, 3, 31)),
            new FeedDelivery("da-programmes", "da-programmes-bbbb", new DateOnly(2025, 7, 1), new DateOnly(2025, 9, 30)),
        };
        var rows = ScorecardBuilder.Build(Protocols, deliveries, spans, [], [new(2025, 1), new(2025, 2), new(2025, 3)], new DateOnly(2025, 11, 1))
            .Where(r => r.Feed == "da-programmes").ToArray();
        var csv = Encoding.UTF8.GetString(GovernanceTables.Scorecard(rows).ToCsv()).Split("\r\n");

        rows.Select(r => r.Timeliness.Status).Should().Equal(Rag.Green, Rag.Red, Rag.Green);
        csv.Should().Contain(l => l.StartsWith("da-programmes,da-programmes,DSA-FS-2024-DAP-01,2025Q2,quarterly,15,1,0,1,2025-07-15,,", StringComparison.Ordinal),
            "April–June was due by 15 July and never arrived");
        csv.Should().Contain(l => l.StartsWith("da-programmes,da-programmes,DSA-FS-2024-DAP-01,2025Q3,quarterly,15,1,1,0,2025-10-15,2025-10-14,0,green", StringComparison.Ordinal));
        rows[0].RowsRejected.Should().Be(2);
        rows[0].RejectedShare.Should().Be(0.02);
        rows[0].Validity.Should().Be(Rag.Amber, "2% rejected is above the agreement's 1% amber threshold and within its 5% red");
    }
}
