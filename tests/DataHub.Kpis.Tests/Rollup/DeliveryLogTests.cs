using DataHub.Core.Protocols;
using DataHub.Core.Rollup;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>Which days a feed has been received for, from the mart files of its deliveries and the agreement's cadence.</summary>
public sealed class DeliveryLogTests
{
    private static readonly DateTimeOffset Received = new(2018, 10, 5, 9, 0, 0, TimeSpan.Zero);

    private static MartInput File(string feed, string batch, DateOnly? first, DateOnly? last) =>
        new($"secure/{feed}/quarter=2018Q1/{batch}.parquet", new string('0', 64), feed, "p", "v1", "r", 1, batch, Received, first, last);

    private static readonly Dictionary<string, DeliveryCadence> Cadences = new()
    {
        ["police-da-incidents"] = DeliveryCadence.Monthly,
        ["school-attendance"] = DeliveryCadence.Quarterly,
        ["csc-cp-plans"] = DeliveryCadence.Monthly,
    };

    [Fact]
    public void An_event_feed_reports_on_whole_periods_from_its_first_to_its_last_record()
    {
        var log = DeliveryLog.From(
        [
            File("police-da-incidents", "a", new DateOnly(2018, 1, 14), new DateOnly(2018, 2, 3)),
            File("police-da-incidents", "a", new DateOnly(2018, 2, 9), new DateOnly(2018, 3, 20)), // the same delivery's next quarter file
            File("police-da-incidents", "b", new DateOnly(2018, 5, 2), new DateOnly(2018, 5, 30)),
            File("school-attendance", "c", new DateOnly(2018, 2, 16), new DateOnly(2018, 7, 20)),
        ], Cadences);

        log.SpansOf("police-da-incidents").Should().Equal((new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31)), (new DateOnly(2018, 5, 1), new DateOnly(2018, 5, 31)));
        log.Covers("police-da-incidents", new DateOnly(2018, 4, 1), new DateOnly(2018, 6, 30)).Should().BeFalse("April was never received");
        log.SpansOf("school-attendance").Should().Equal((new DateOnly(2018, 1, 1), new DateOnly(2018, 9, 30)));
        log.Covers("mental-health-scores", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31)).Should().BeFalse("a feed never delivered covers nothing");
    }

    [Fact]
    public void A_snapshot_feed_reports_on_every_period_up_to_the_last_whole_one_before_it_arrived()
    {
        var log = DeliveryLog.From([File("csc-cp-plans", "a", new DateOnly(2016, 4, 2), new DateOnly(2018, 6, 30))], Cadences);

        log.Covers("csc-cp-plans", new DateOnly(2010, 1, 1), new DateOnly(2018, 9, 30)).Should().BeTrue("received on 5 October, it holds the plans as at September");
        log.Covers("csc-cp-plans", new DateOnly(2018, 10, 1), new DateOnly(2018, 10, 31)).Should().BeFalse();
    }

    [Fact]
    public void A_delivery_with_no_dated_record_reports_on_nothing_and_a_feed_no_agreement_names_is_monthly()
    {
        var log = DeliveryLog.From(
        [
            File("police-da-incidents", "empty", null, null),
            File("da-programmes", "x", new DateOnly(2018, 2, 1), new DateOnly(2018, 2, 1)) with { Received = null },
        ], Cadences);

        log.SpansOf("police-da-incidents").Should().BeEmpty();
        log.SpansOf("da-programmes").Should().Equal((new DateOnly(2018, 2, 1), new DateOnly(2018, 2, 28)));
    }
}
