using System.Diagnostics;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>A landed file's name the hub cannot take (not UTF-8, a colon, a control character) is reported once, by its
/// folder and label, and never sits in landing unseen nor is reported again on every sweep.</summary>
public sealed class LandingNameTests
{
    private const string Folder = "landing/police/police-da-incidents";

    [Fact]
    public async Task A_file_whose_name_is_not_UTF8_is_listed_not_skipped()
    {
        using var fixture = new HubFixture();
        WriteUnderRawName(fixture, "incidents-Ren\\351e.csv", "abc");

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();

        listed.Should().ContainSingle().Which.Path.Should().Be($"{Folder}/incidents-Ren\uFFFDe.csv");
        (await fixture.Store.ListAsync("landing/", default).SingleAsync()).ETag.Should().Be(listed[0].ETag, "it settles, so the runner hands it on");
    }

    [Fact]
    public async Task A_file_whose_name_is_not_UTF8_is_refused_by_its_folder_and_label_once_per_version()
    {
        using var fixture = new HubFixture();
        WriteUnderRawName(fixture, "incidents-Ren\\351e.csv", "abc");
        var listed = await fixture.Store.ListAsync("landing/", default).SingleAsync();
        var ingest = new IngestExtract(fixture.Hub);

        var first = await ingest.HandleAsync(listed.Path, listed.ETag, default);
        var again = await new IngestExtract(fixture.Hub).HandleAsync(listed.Path, listed.ETag, default);

        first.Status.Should().Be(IngestStatus.Refused, first.Message);
        first.Rule.Should().Be(LandingPath.NameEncodingRule);
        first.SafeLandingPath.Should().Be($"{Folder}/{fixture.Labels.Label("incidents-Ren\uFFFDe.csv")}");
        first.Message.Should().Contain("rename");
        var events = (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.PathRefused).ToList();
        events.Should().ContainSingle("a restart or the next sweep does not report it again").Which.Entry.Path.Should().Be(first.SafeLandingPath);
        again.Status.Should().Be(IngestStatus.Ignored);
        again.ReportPath.Should().Be(first.ReportPath);
        (await fixture.ListAsync("quarantine/_refused/")).Where(p => p.EndsWith(".report.json", StringComparison.Ordinal)).Should().ContainSingle();
        var report = fixture.Text(first.ReportPath!);
        report.Should().Contain(LandingPath.NameEncodingRule).And.NotContain("Ren").And.NotContain("incidents-");
        Directory.EnumerateFiles(fixture.Store.FullPath(Folder)).Should().ContainSingle("the hub cannot move it; it waits for the partner to rename it");
    }

    [Theory]
    [InlineData("Report: Smith.csv")]
    [InlineData("Smith\u0007.csv")]
    public async Task A_file_name_with_a_colon_or_control_character_is_moved_to_quarantine_with_its_report(string name)
    {
        using var fixture = new HubFixture();
        var outcome = await fixture.DropAndIngestAsync($"{Folder}/{name}", HubFixture.PoliceHeader + "\n");

        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        outcome.Rule.Should().Be(LandingPath.NameCharactersRule);
        outcome.QuarantinePath.Should().StartWith("quarantine/_unrouted/");
        (await fixture.ListAsync("landing/")).Should().BeEmpty("it is kept in quarantine, not left to be refused on every restart");
        fixture.Text(outcome.ReportPath!).Should().NotContain("Smith");
        (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused);
    }

    [Fact]
    public async Task The_same_name_not_UTF8_in_two_partners_folders_is_reported_in_each()
    {
        using var fixture = new HubFixture();
        const string other = "landing/icb/health-aggregates";
        Shell(fixture, Folder, "incidents-Ren\\351e.csv", "abc");
        Shell(fixture, other, "incidents-Ren\\351e.csv", "abc");
        var ingest = new IngestExtract(fixture.Hub);

        var outcomes = new List<IngestOutcome>();
        await foreach (var item in fixture.Store.ListAsync("landing/", default))
        {
            outcomes.Add(await ingest.HandleAsync(item.Path, item.ETag, default));
        }

        outcomes.Should().HaveCount(2).And.OnlyContain(o => o.Status == IngestStatus.Refused && o.Rule == LandingPath.NameEncodingRule, "each folder's file is its own partner's delivery");
        outcomes.Select(o => o.ReportPath).Should().OnlyHaveUniqueItems();
        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.PathRefused).Select(e => e.Entry.Path)
            .Should().BeEquivalentTo([$"{Folder}/{fixture.Labels.Label("incidents-Ren\uFFFDe.csv")}", $"{other}/{fixture.Labels.Label("incidents-Ren\uFFFDe.csv")}"]);
    }

    [Fact]
    public async Task A_file_whose_name_is_not_UTF8_removed_and_sent_again_is_reported_again()
    {
        using var fixture = new HubFixture();
        WriteUnderRawName(fixture, "incidents-Ren\\351e.csv", "abc");
        var first = await HandleListedAsync(fixture);

        // The operator removes the stranded file as the runbook says; the partner later sends one under the same name.
        Shell(fixture, Folder, "incidents-Ren\\351e.csv", null);
        (await fixture.ListAsync("landing/")).Should().BeEmpty();
        await Task.Delay(50); // past the file system's clock tick, as any real resend is
        WriteUnderRawName(fixture, "incidents-Ren\\351e.csv", "abcd");
        var second = await HandleListedAsync(fixture);

        first.Status.Should().Be(IngestStatus.Refused);
        second.Status.Should().Be(IngestStatus.Refused, "a new file is never taken for one reported already: " + second.Message);
        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.PathRefused).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_new_version_of_a_name_with_a_backslash_is_reported_again()
    {
        using var fixture = new HubFixture();
        var file = Path.Combine(Directory.CreateDirectory(fixture.Store.FullPath(Folder)).FullName, "a\\b.csv");
        File.WriteAllText(file, "abc");
        var first = await HandleListedAsync(fixture);
        File.WriteAllText(file, "abcdef");
        var second = await HandleListedAsync(fixture);

        first.Status.Should().Be(IngestStatus.Refused);
        first.Rule.Should().Be("path.traversal");
        second.Status.Should().Be(IngestStatus.Refused, second.Message);
        (await fixture.AuditAsync()).Where(e => e.Entry.Kind == AuditKinds.PathRefused).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_folder_whose_name_is_not_UTF8_is_listed_and_refused_by_its_label()
    {
        using var fixture = new HubFixture();
        var folder = Directory.CreateDirectory(fixture.Store.FullPath(Folder)).FullName;
        RunShell("mkdir \"$1/$(printf \"$0\")\" && printf 'abc' > \"$1/$(printf \"$0\")/jan.csv\"", "Ren\\351e", folder);

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();
        listed.Should().ContainSingle("the files in it are never found, so the folder itself is reported").Which.Path.Should().Be($"{Folder}/Ren\uFFFDe");
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(listed[0].Path, listed[0].ETag, default);

        outcome.Status.Should().Be(IngestStatus.Refused, outcome.Message);
        outcome.Rule.Should().Be(LandingPath.NameEncodingRule);
        outcome.SafeLandingPath.Should().Be($"{Folder}/{fixture.Labels.Label("Ren\uFFFDe")}");
        var written = string.Join('\n', (await fixture.AuditAsync()).Select(e => e.Entry.Path + e.Entry.Detail)) + fixture.Text(outcome.ReportPath!);
        written.Should().NotContain("Ren");
    }

    [Fact]
    public async Task A_name_not_UTF8_with_a_backslash_is_listed_not_skipped()
    {
        using var fixture = new HubFixture();
        WriteUnderRawName(fixture, "a\\134Ren\\351e.csv", "abc");

        var listed = await fixture.Store.ListAsync("landing/", default).ToListAsync();

        listed.Should().ContainSingle().Which.Path.Should().Be($"{Folder}/a\\Ren\uFFFDe.csv");
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync(listed[0].Path, listed[0].ETag, default);
        outcome.Status.Should().Be(IngestStatus.Refused);
    }

    [Fact]
    public async Task A_name_that_really_holds_the_replacement_character_is_moved_to_quarantine()
    {
        using var fixture = new HubFixture();
        var outcome = await fixture.DropAndIngestAsync($"{Folder}/incidents-Ren\uFFFDe.csv", HubFixture.PoliceHeader + "\n");

        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        outcome.Rule.Should().Be(LandingPath.NameEncodingRule);
        outcome.QuarantinePath.Should().StartWith("quarantine/_unrouted/");
        (await fixture.ListAsync("landing/")).Should().BeEmpty("the store found it by its name, so it is not left to sit in landing for good");
        fixture.Text(outcome.ReportPath!).Should().NotContain("Ren").And.Contain("quarantined");
    }

    [Fact]
    public async Task A_refusal_cut_short_before_its_event_is_reported_on_the_next_try()
    {
        using var fixture = new HubFixture();
        WriteUnderRawName(fixture, "incidents-Ren\\351e.csv", "abc");
        var listed = await fixture.Store.ListAsync("landing/", default).SingleAsync();

        var crashed = () => new IngestExtract(fixture.Hub with { Audit = new FailingAt(fixture.Hub.Audit, AuditKinds.PathRefused) }).HandleAsync(listed.Path, listed.ETag, default);
        await crashed.Should().ThrowAsync<IOException>();
        var retried = await new IngestExtract(fixture.Hub).HandleAsync(listed.Path, listed.ETag, default);

        retried.Status.Should().Be(IngestStatus.Refused, "no report may stand for an event never written: " + retried.Message);
        (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.PathRefused);
    }

    private static async Task<IngestOutcome> HandleListedAsync(HubFixture fixture)
    {
        var listed = await fixture.Store.ListAsync("landing/", default).SingleAsync();
        return await new IngestExtract(fixture.Hub).HandleAsync(listed.Path, listed.ETag, default);
    }

    // .NET writes every name as UTF-8, so the shell's printf makes the name's bytes from octal escapes.
    private static void WriteUnderRawName(HubFixture fixture, string octalName, string content) => Shell(fixture, Folder, octalName, content);

    // Writes (or, with no content, removes) the file whose name's bytes the octal escapes give, in an object folder.
    private static void Shell(HubFixture fixture, string objectFolder, string octalName, string? content)
    {
        var folder = Directory.CreateDirectory(fixture.Store.FullPath(objectFolder)).FullName;
        if (content is null)
        {
            RunShell("rm \"$1/$(printf \"$0\")\"", octalName, folder);
        }
        else
        {
            RunShell("printf '%s' \"$2\" > \"$1/$(printf \"$0\")\"", octalName, folder, content);
        }
    }

    private static void RunShell(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", script, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var shell = Process.Start(start)!;
        shell.WaitForExit();
        shell.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task A_misplaced_file_moved_to_quarantine_before_a_torn_log_refuses_its_event_is_said_to_have_moved()
    {
        using var fixture = new HubFixture();
        await fixture.Store.WriteAsync($"{Folder}/Report: Smith.csv", (s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(HubFixture.PoliceHeader + "\n"), ct).AsTask(), WriteOptions.Default, default);
        var listed = await fixture.Store.ListAsync("landing/", default).SingleAsync();

        var torn = () => new IngestExtract(fixture.Hub with { Audit = new AuditTornAt(fixture.Hub.Audit, AuditKinds.PathRefused) }).HandleAsync(listed.Path, listed.ETag, default);

        var refused = (await torn.Should().ThrowAsync<AuditChainBrokenException>()).Which;
        (await fixture.ListAsync("landing/")).Should().BeEmpty();
        refused.Written.Should().Contain("moved out of landing to quarantine/_unrouted/");
        refused.Message.Should().NotContain("Nothing was written").And.NotContain("Smith");
    }

    /// <summary>Fails the first append of one kind of event: a worker that died at that step.</summary>
    private sealed class FailingAt(IAuditLog inner, string kind) : IAuditLog
    {
        private bool _failed;

        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (entry.Kind == kind && !_failed)
            {
                _failed = true;
                throw new IOException("The worker stopped here.");
            }

            return inner.AppendAsync(entry, cancellationToken);
        }

        public IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

        public IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken) => inner.ReadReadableAsync(unreadable, cancellationToken);

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

        public Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

        public Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken) => inner.RepairAsync(loss, cancellationToken);
    }
}
