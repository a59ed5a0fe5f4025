using DataHub.Core.Ingestion;
using DataHub.Storage.Azure;

namespace DataHub.Azure.Tests.Storage;

/// <summary>
/// The names a partner chooses inside its own container (it may create any blob name there): each reads as a path under
/// its own partner folder, maps back to the very same blob, and is never the archive, the shared container or another
/// partner's delivery.
/// </summary>
public sealed class LandingContainersTests
{
    [Theory]
    [InlineData("_processed/icb/icb-ae-attendances/icb-0123456789abcdef/file-0123abcd.csv")] // the archive's shape
    [InlineData("_processed/x.csv")]
    [InlineData("_shared/icb/icb-ae-attendances/x.csv")]
    [InlineData("landing-icb/icb-ae-attendances/x.csv")] // another partner's container, as a folder
    [InlineData("icb/icb-ae-attendances/x.csv")] // another partner, as a folder
    [InlineData("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z.csv")]
    [InlineData("feed/../../landing-icb/icb-ae-attendances/x.csv")]
    [InlineData("feed//x.csv")]
    public void A_blob_a_partner_names_in_its_own_container_is_its_own_and_never_ingested_as_anyone_elses(string name)
    {
        var path = LandingContainers.PathOf("landing-police", name);

        path.Should().Be($"landing/police/{name}", "the partner is the container's, whatever the name says");
        LandingContainers.Locate(path).Should().Be(("landing-police", name), "the hub reads and moves the blob the partner made, no other");
        var check = LandingPath.Check(path);
        check.IsArchive.Should().BeFalse("only the 'landing' container, where no partner has any permission, holds the archive");
        check.Path.Should().BeNull("none of these is landing/{partner}/{feed}/{file}");
        check.Rule.Should().NotBe(LandingPath.SharedContainerRule);
    }

    [Theory]
    [InlineData("_processed/police/feed/b/file-0123abcd.csv", "landing/_processed/police/feed/b/file-0123abcd.csv")]
    [InlineData("police/feed/x.csv", "landing/_shared/police/feed/x.csv")]
    [InlineData("_shared/x.csv", "landing/_shared/_shared/x.csv")]
    [InlineData("_processed", "landing/_shared/_processed")]
    public void A_blob_of_the_landing_container_is_the_archive_only_under_processed_and_maps_back_to_itself(string name, string path)
    {
        LandingContainers.PathOf(LandingContainers.Landing, name).Should().Be(path);
        LandingContainers.Locate(path).Should().Be((LandingContainers.Landing, name));
    }
}
