using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Pseudonymisation;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>
/// A file is recorded by a label keyed with the hub's secret: one who reads the audit, a report or a path cannot work the
/// name back by hashing candidates (every NHS number, a list of names), as they could an unkeyed hash of it.
/// </summary>
public sealed class FileLabelTests
{
    private const string Stored = "landing/police/police-da-incidents/4857773456.csv";
    private const string Refused = "landing/police/school-attendance/Jane Smith referral.csv";

    private static string Police(params string[] rows) => HubFixture.PoliceHeader + "\n" + string.Join("\n", rows) + "\n";

    private static string Row(int n) => $"INC{n},2018-03-31,victim,Zoë{n},Smith,1990-04-05,F,Y,N";

    [Fact]
    public async Task The_audit_names_a_file_by_a_keyed_label_not_the_unkeyed_sha256_of_its_name()
    {
        using var fixture = new HubFixture();
        var outcome = await fixture.DropAndIngestAsync(Stored, Police(Row(1)));
        outcome.Status.Should().Be(IngestStatus.Stored, outcome.Message);

        var received = (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Kind == AuditKinds.Received).Subject.Entry.Path!;
        received.Should().MatchRegex(@"^landing/police/police-da-incidents/file-[0-9a-f]{8}\.csv$");
        received.Should().NotContain(UnkeyedLabel.Of("4857773456.csv"), "anyone could hash the 10^9 NHS numbers and find this one");
        received.Should().EndWith("/" + fixture.Labels.Label("4857773456.csv"));
    }

    [Fact]
    public async Task The_same_name_has_unrelated_labels_under_two_keys()
    {
        using var one = new HubFixture();
        using var other = new HubFixture(keys: new FixedKeys("v1", 9));
        await one.DropAndIngestAsync(Stored, Police(Row(1)));
        await other.DropAndIngestAsync(Stored, Police(Row(1)));

        var first = (await one.AuditAsync()).Single(e => e.Entry.Kind == AuditKinds.Received).Entry.Path;
        var second = (await other.AuditAsync()).Single(e => e.Entry.Kind == AuditKinds.Received).Entry.Path;
        first.Should().NotBe(second, "only a holder of the key can compute the label");
        second.Should().EndWith("/" + new FileLabels(new FixedKeys("v1", 9).Key).Label("4857773456.csv"));
    }

    [Fact]
    public async Task A_stored_file_has_one_label_in_its_received_event_and_its_raw_archive()
    {
        using var fixture = new HubFixture();
        var outcome = await fixture.DropAndIngestAsync(Stored, Police(Row(1)));
        var label = fixture.Labels.Label("4857773456.csv");

        var audit = await fixture.AuditAsync();
        audit.Single(e => e.Entry.Kind == AuditKinds.Received).Entry.Path.Should().Be($"landing/police/police-da-incidents/{label}");
        var archived = audit.Single(e => e.Entry.Kind == AuditKinds.Archived).Entry.Path;
        archived.Should().Be($"landing/_processed/police/police-da-incidents/{outcome.BatchId}/{label}");
        (await fixture.ListAsync("landing/_processed/")).Should().Equal(archived);
        fixture.Labels.StoredPath(archived!, fixture.Hub.Protocols).Should().Be(archived, "retention records an archived file by its path as it is");
    }

    [Fact]
    public async Task A_quarantined_file_has_one_label_in_its_events_its_quarantine_path_and_its_report()
    {
        using var fixture = new HubFixture();
        var outcome = await fixture.DropAndIngestAsync(Refused, Police(Row(1)));
        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);
        var label = fixture.Labels.Label("Jane Smith referral.csv");

        var audit = await fixture.AuditAsync();
        audit.Single(e => e.Entry.Kind == AuditKinds.Received).Entry.Path.Should().Be($"landing/police/school-attendance/{label}");
        var quarantined = audit.Single(e => e.Entry.Kind == AuditKinds.Quarantined).Entry.Path;
        quarantined.Should().Be($"quarantine/police/school-attendance/{outcome.Sha256![..16]}-{label}").And.Be(outcome.QuarantinePath);
        fixture.Text(outcome.ReportPath!).Should().Contain($"landing/police/school-attendance/{label}");
    }

    [Fact]
    public async Task No_output_holds_a_landed_name_or_its_unkeyed_label()
    {
        using var fixture = new HubFixture();
        await fixture.DropAndIngestAsync(Stored, Police(Row(1)));
        await fixture.DropAndIngestAsync(Refused, Police(Row(2)));
        await fixture.DropAndIngestAsync("landing/police/police-da-incidents/copy of 4857773456.csv", Police(Row(1)));

        var root = fixture.Root;
        var written = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith("keys", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f) + "\n" + Encoding.Latin1.GetString(File.ReadAllBytes(f)))
            .ToList();
        written.Should().NotBeEmpty();
        foreach (var name in new[] { "4857773456.csv", "Jane Smith referral.csv", "copy of 4857773456.csv" })
        {
            written.Should().NotContain(t => t.Contains(UnkeyedLabel.Of(name), StringComparison.Ordinal), $"the unkeyed label of '{name}' can be worked back to the name");
        }

        written.Should().NotContain(t => t.Contains("4857773456", StringComparison.Ordinal) || t.Contains("Jane Smith", StringComparison.Ordinal));
    }

    [Fact]
    public void A_label_is_not_the_keys_plain_hmac_of_the_name_so_it_never_repeats_a_token()
    {
        var key = new FixedKeys("v1", 7).Key;
        var label = new FileLabels(key).Label("4857773456");
        var plain = Convert.ToHexStringLower(HMACSHA256.HashData(key.Material, Encoding.UTF8.GetBytes("4857773456")))[..8];
        using var tokens = new Pseudonymiser(key);
        var token = tokens.Token(LinkageKey.Nhs, "4857773456");

        label.Should().MatchRegex("^file-[0-9a-f]{8}$");
        label.Should().NotContain(plain).And.NotContain(token[(token.IndexOf(':', StringComparison.Ordinal) + 1)..][..8]);
    }

    [Fact]
    public async Task A_file_in_an_unknown_folder_has_one_label_in_its_safe_path_its_quarantine_path_its_report_and_its_event()
    {
        using var fixture = new HubFixture();
        var outcome = await fixture.DropAndIngestAsync("landing/jane-smith/police-da-incidents/referral.csv", Police(Row(1)));
        outcome.Status.Should().Be(IngestStatus.Quarantined, outcome.Message);

        // What `datahub label jane-smith/police-da-incidents/referral.csv` prints, as the runbook says to run it.
        var label = fixture.Labels.Label("jane-smith/police-da-incidents/referral.csv");
        outcome.SafeLandingPath.Should().Be($"landing/~{label}");
        outcome.QuarantinePath.Should().MatchRegex(@"^quarantine/_unrouted/v[0-9a-f]{16}-file-[0-9a-f]{8}\.csv$").And.EndWith("-" + label);
        outcome.ReportPath.Should().Be(outcome.QuarantinePath + ".report.json");
        (await fixture.AuditAsync()).Single(e => e.Entry.Kind == AuditKinds.PathRefused).Entry.Path.Should().Be(outcome.QuarantinePath);
    }

    [Fact]
    public async Task A_refused_path_has_one_label_in_its_event_and_its_report()
    {
        using var fixture = new HubFixture();
        var outcome = await new IngestExtract(fixture.Hub).HandleAsync("landing/police/../Jane Smith.csv", null, default);
        outcome.Status.Should().Be(IngestStatus.Refused, outcome.Message);

        var label = fixture.Labels.Label("police/../Jane Smith.csv");
        outcome.SafeLandingPath.Should().Be($"landing/~{label}");
        (await fixture.AuditAsync()).Single(e => e.Entry.Kind == AuditKinds.PathRefused).Entry.Path.Should().Be(outcome.SafeLandingPath);
        outcome.ReportPath.Should().MatchRegex(@"^quarantine/_refused/[0-9]{8}T[0-9]{9}-file-[0-9a-f]{8}\.csv\.report\.json$").And.EndWith($"-{label}.report.json");
    }

    [Fact]
    public async Task Without_the_key_a_file_is_left_in_landing_and_audited_with_its_label_withheld()
    {
        using var fixture = new HubFixture(keys: new NoKeys());
        var outcome = await fixture.DropAndIngestAsync(Stored, Police(Row(1)));

        outcome.Status.Should().Be(IngestStatus.Failed);
        outcome.Rule.Should().Be("key.unavailable");
        outcome.SafeLandingPath.Should().Be($"landing/police/police-da-incidents/{FileLabels.WithheldLabel}.csv");
        var failed = (await fixture.AuditAsync()).Should().ContainSingle().Subject.Entry;
        (failed.Kind, failed.Rule, failed.Path).Should().Be((AuditKinds.Failed, "key.unavailable", outcome.SafeLandingPath));
        (await fixture.ListAsync("landing/")).Should().Equal(Stored);
        (await fixture.ListAsync("quarantine/")).Should().BeEmpty();
    }
}
