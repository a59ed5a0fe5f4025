using DataHub.Core.Feeds;
using DataHub.Core.Ingestion;
using DataHub.Core.Tests.Feeds;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>A placeholder date of birth (01/01/1900 and the like) is no one's birthday: it never places a person in an age group.</summary>
public sealed class PlaceholderBirthDateTests
{
    [Theory]
    [InlineData("01/01/1900")]
    [InlineData("1901-01-01")]
    public async Task Refuses_a_cohort_persons_placeholder_date_of_birth_naming_the_rule_and_column(string dob)
    {
        var result = await FeedSamples.ReadOne(FeedCatalog.CscPeople, FeedSamples.Line(FeedCatalog.CscPeople, ("date_of_birth", dob)));

        FeedSamples.Rules(result).Should().Equal("dob.placeholder");
        result.Errors![0].Column.Should().Be("date_of_birth");
        result.Errors[0].Line.Should().Be(2);
        result.Errors[0].Message.Should().NotContain(dob);
    }

    [Fact]
    public async Task Accepts_a_cohort_persons_real_date_of_birth_early_in_1900s_years()
    {
        var result = await FeedSamples.ReadOne(FeedCatalog.CscPeople, FeedSamples.Line(FeedCatalog.CscPeople, ("date_of_birth", "02/01/1900")));
        result.Errors.Should().BeNull();
    }

    [Fact]
    public async Task Keeps_a_partner_row_with_a_placeholder_date_of_birth_but_stores_no_birth_year_or_month()
    {
        using var hub = new HubFixture();
        var csv = HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoë,Smith,01/01/1900,F,Y,N\nINC2,2018-03-31,victim,Ann,Jones,1990-04-05,F,Y,N\n";

        var outcome = await hub.DropAndIngestAsync("landing/police/police-da-incidents/jan.csv", csv);

        outcome.Status.Should().Be(IngestStatus.Stored);
        var rows = await MartFiles.RowsAsync(hub.Store.FullPath(outcome.MartFiles![0]));
        rows.Select(r => (r["source_line"].Text(), r["birth_year"].Text(), r["birth_month"].Text()))
            .Should().Equal(("2", null, null), ("3", "1990", "4"));
    }
}
