using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>Issue 9: a symbolic link in landing is refused unread; nothing it points to is read, copied, moved or deleted.</summary>
public sealed class LandingLinkTests : IDisposable
{
    private const string Secret = "KEY-MATERIAL-8f2a61c0d7";
    private readonly HubFixture _hub = new();
    private readonly string _outside;

    public LandingLinkTests()
    {
        _outside = Directory.CreateDirectory(_hub.Root + "-outside").FullName;
        File.WriteAllText(Path.Combine(_outside, "datahub-key.json"), "{\"current\":\"v1\",\"keys\":{\"v1\":\"" + Secret + "\"}}");
    }

    public void Dispose()
    {
        _hub.Dispose();
        Directory.Delete(_outside, recursive: true);
    }

    [Fact]
    public async Task A_link_to_a_key_file_dropped_as_a_csv_is_refused_and_its_target_never_copied()
    {
        var link = LandingFile("police", "police-da-incidents", "key.csv");
        File.CreateSymbolicLink(link, Path.Combine(_outside, "datahub-key.json"));

        var outcome = await new IngestExtract(_hub.Hub).HandleAsync("landing/police/police-da-incidents/key.csv", null, default);

        outcome.Status.Should().Be(IngestStatus.Refused);
        outcome.Rule.Should().Be(LandingPath.LinkRule);
        FilesContaining(_hub.Root, Secret).Should().BeEmpty("the link's target is never read, so its content is nowhere in the hub");
        File.Exists(link).Should().BeFalse("the link itself is removed, so it is refused once");
        File.ReadAllText(Path.Combine(_outside, "datahub-key.json")).Should().Contain(Secret, "what the link pointed to is untouched");
        (await _hub.ListAsync("quarantine/_refused/")).Should().Contain(p => p.EndsWith(".report.json", StringComparison.Ordinal));
        (await _hub.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused && e.Entry.Rule == LandingPath.LinkRule);
    }

    [Fact]
    public async Task A_link_in_a_partners_folder_is_refused_under_its_file_label_in_its_event_and_its_report()
    {
        File.CreateSymbolicLink(LandingFile("police", "police-da-incidents", "Jane Smith.csv"), Path.Combine(_outside, "datahub-key.json"));

        var outcome = await new IngestExtract(_hub.Hub).HandleAsync("landing/police/police-da-incidents/Jane Smith.csv", null, default);

        var label = _hub.Labels.Label("Jane Smith.csv");
        outcome.Status.Should().Be(IngestStatus.Refused);
        outcome.SafeLandingPath.Should().Be($"landing/police/police-da-incidents/{label}");
        (await _hub.AuditAsync()).Single(e => e.Entry.Kind == AuditKinds.PathRefused).Entry.Path.Should().Be(outcome.SafeLandingPath);
        outcome.ReportPath.Should().EndWith($"-{label}.report.json", "the report goes by the label the event and the console give the file");
    }

    [Fact]
    public async Task A_dangling_link_is_refused_with_a_report_rather_than_failing()
    {
        File.CreateSymbolicLink(LandingFile("police", "police-da-incidents", "gone.csv"), Path.Combine(_outside, "no-such-file.csv"));

        var outcome = await new IngestExtract(_hub.Hub).HandleAsync("landing/police/police-da-incidents/gone.csv", null, default);

        outcome.Status.Should().Be(IngestStatus.Refused);
        outcome.Rule.Should().Be(LandingPath.LinkRule);
        (await _hub.ListAsync("landing/")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_file_reached_through_a_linked_feed_folder_is_never_moved_from_outside_the_root()
    {
        Directory.CreateDirectory(Path.Combine(_hub.Root, "landing", "police"));
        Directory.CreateSymbolicLink(Path.Combine(_hub.Root, "landing", "police", "police-da-incidents"), _outside);
        var victim = Path.Combine(_outside, "jan.csv");
        File.WriteAllText(victim, HubFixture.PoliceHeader + "\nINC1,2018-03-31,victim,Zoe,Smith,1990-04-05,F,Y,N\n");

        var listed = await _hub.ListAsync("landing/");
        var outcome = await new IngestExtract(_hub.Hub).HandleAsync("landing/police/police-da-incidents/jan.csv", null, default);

        listed.Should().Equal(["landing/police/police-da-incidents"], "a linked folder is listed as itself, never walked into");
        outcome.Status.Should().Be(IngestStatus.Refused);
        File.Exists(victim).Should().BeTrue("a file outside the root is never deleted");
        (await _hub.ListAsync("quarantine/")).Should().OnlyContain(p => p.StartsWith("quarantine/_refused/", StringComparison.Ordinal));
        (await _hub.ListAsync("secure/")).Should().BeEmpty();
    }

    private string LandingFile(string partner, string feed, string name) =>
        Path.Combine(Directory.CreateDirectory(Path.Combine(_hub.Root, "landing", partner, feed)).FullName, name);

    /// <summary>Files under a folder (links not followed) whose bytes contain the text.</summary>
    internal static IEnumerable<string> FilesContaining(string folder, string text) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(f => new FileInfo(f).LinkTarget is null && Encoding.UTF8.GetString(File.ReadAllBytes(f)).Contains(text, StringComparison.Ordinal));
}
