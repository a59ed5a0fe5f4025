using DataHub.Core.Ingestion;

namespace DataHub.Core.Tests.Ingestion;

public sealed class LandingPathTests
{
    [Fact]
    public void Accepts_landing_partner_feed_file()
    {
        var check = LandingPath.Check("landing/police/police-da-incidents/jan 2019.csv");
        check.Path.Should().Be(new LandingPath("police", "police-da-incidents", "jan 2019.csv"));
    }

    [Theory]
    [InlineData("landing/police/../secure/x.parquet", "path.traversal", false)]
    [InlineData("landing/police/police-da-incidents/..", "path.traversal", false)]
    [InlineData("landing/police\\..\\x/f/a.csv", "path.traversal", false)]
    [InlineData("secure/police/police-da-incidents/a.csv", "path.not_landing", false)]
    [InlineData("landing/police/a.csv", "path.depth", true)]
    [InlineData("landing/police/police-da-incidents/2019/a.csv", "path.depth", true)]
    [InlineData("landing/Police/police-da-incidents/a.csv", "path.name", true)]
    [InlineData("landing//police-da-incidents/a.csv", "path.empty_segment", false)]
    [InlineData("landing/police/police-da-incidents/Report: Smith.csv", "path.name_characters", true)]
    [InlineData("landing/police/police-da-incidents/a\u0007bell.csv", "path.name_characters", true)]
    [InlineData("landing/police/police-da-incidents/incidents-Ren\uFFFDe.csv", "path.name_encoding", false)]
    [InlineData("landing/police/police-da-incidents/jan 2019.csv.filepart", LandingPath.UploadIncompleteRule, true)]
    [InlineData("landing/police/police-da-incidents/jan 2019.csv.PART", LandingPath.UploadIncompleteRule, true)]
    [InlineData("landing/police/police-da-incidents/jan 2019.xlsx.crdownload", LandingPath.UploadIncompleteRule, true)]
    [InlineData("landing/police/police-da-incidents/~$jan 2019.xlsx", LandingPath.UploadIncompleteRule, true)]
    public void Refuses_paths_outside_the_landing_shape(string path, string rule, bool movable)
    {
        var check = LandingPath.Check(path);
        check.Path.Should().BeNull();
        check.Rule.Should().Be(rule);
        check.Movable.Should().Be(movable);
    }

    [Theory]
    [InlineData("jan 2019.partners.csv")]
    [InlineData("part 2.csv")]
    [InlineData("temperature.csv")]
    public void A_name_that_only_contains_an_upload_tools_word_is_a_delivery(string name)
    {
        LandingPath.Check($"landing/police/police-da-incidents/{name}").Path.Should().NotBeNull();
    }

    [Theory]
    [InlineData("landing/_shared/police/police-da-incidents/a.csv")]
    [InlineData("landing/_shared/a.csv")]
    public void Refuses_a_file_left_in_the_shared_landing_container_as_nobodys_and_quarantines_it(string path)
    {
        var check = LandingPath.Check(path);
        check.Path.Should().BeNull("its folder does not prove the sender, even when it names an agreed partner and feed");
        check.Rule.Should().Be(LandingPath.SharedContainerRule);
        check.Movable.Should().BeTrue("it is moved to quarantine with its report, not left or dropped");
        check.Message.Should().Contain("not ingested as anyone's").And.NotContain("police");
    }

    [Fact]
    public void Ignores_the_hubs_own_archive() =>
        LandingPath.Check("landing/_processed/police/police-da-incidents/b/a.csv").IsArchive.Should().BeTrue();

    [Theory]
    [InlineData("landing/_processed/police/police-da-incidents/b/Ren\uFFFDe.csv")]
    [InlineData("landing/_processed/police/police-da-incidents/b/Report: Smith.csv")]
    public void Ignores_the_hubs_own_archive_whatever_the_names_in_it(string path) =>
        LandingPath.Check(path).IsArchive.Should().BeTrue("the archive is retention's to deal with, never refused as a delivery");
}
