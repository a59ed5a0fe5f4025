using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using DataHub.Core.Tests.Feeds;
using DataHub.Testing;

namespace DataHub.Core.Tests.Ingestion;

/// <summary>The sweep over files left in landing, on the local stores: one file that cannot be handled stops nothing.</summary>
public sealed class LandingSweepTests
{
    private const string Feed = "landing/police/police-da-incidents/";
    private const string RawName = "Jane Smith 2011-05-12.csv";

    [Fact]
    public async Task A_file_whose_handling_throws_is_audited_by_its_safe_path_and_the_sweep_goes_on_to_the_next()
    {
        using var fixture = new HubFixture();
        var hub = fixture.Hub with { Store = new UnreadableFile(fixture.Store, Feed + RawName) };
        await Land(fixture, Feed + RawName, FeedSamples.Csv("police-da-incidents", FeedSamples.Line("police-da-incidents")));
        await Land(fixture, Feed + "sound.csv", FeedSamples.Csv("police-da-incidents", FeedSamples.Line("police-da-incidents", ("incident_id", "INC2"))));

        var result = await new LandingSweep(hub).RunAsync(default);

        result.Outcomes.Select(o => o.Status).Should().BeEquivalentTo([IngestStatus.Failed, IngestStatus.Stored]);
        result.Failed.Should().Be(1);
        var failed = (await fixture.AuditAsync()).Should().ContainSingle(e => e.Entry.Rule == LandingSweep.UnhandledRule).Subject;
        failed.Entry.Kind.Should().Be(AuditKinds.Failed);
        failed.Entry.Path.Should().StartWith(Feed).And.NotContain("Jane");
        var everything = File.ReadAllText(Path.Combine(fixture.Root, "audit", "audit-log.jsonl")) + result.Summary + string.Join("\n", result.Outcomes.Select(o => o.Message));
        everything.Should().NotContain("Jane").And.NotContain("2011-05-12");
        everything.Should().NotContain(UnkeyedLabel.Of(RawName), "an unkeyed hash of the name can be worked back to it");
        (await fixture.ListAsync(Feed)).Should().Contain(Feed + RawName, "it stays in landing for the next sweep");
    }

    [Fact]
    public async Task A_file_whose_handling_throws_after_it_was_received_is_audited_failed_under_the_label_it_was_received_by()
    {
        // The key is had when the file is received, and no longer when the failure is recorded (a Key Vault outage as the
        // cached current version runs out): the failed event must still name the file as its received event did.
        using var fixture = new HubFixture(keys: new KeyLostAfterFirstUse(new FixedKeys("v1", 7)));
        var hub = fixture.Hub with { Store = new FailsAt(fixture.Store, 1, p => p.StartsWith("quarantine/", StringComparison.Ordinal)) };
        const string Refused = "landing/police/school-attendance/" + RawName;
        await Land(fixture, Refused, FeedSamples.Csv("police-da-incidents", FeedSamples.Line("police-da-incidents")));

        var result = await new LandingSweep(hub).RunAsync(default);

        result.Outcomes.Should().ContainSingle().Which.Status.Should().Be(IngestStatus.Failed);
        var audit = await fixture.AuditAsync();
        var received = audit.Single(e => e.Entry.Kind == AuditKinds.Received).Entry.Path;
        received.Should().Be("landing/police/school-attendance/" + fixture.Labels.Label(RawName));
        audit.Single(e => e.Entry.Rule == LandingSweep.UnhandledRule).Entry.Path.Should().Be(received, "one delivery's events name its file by one label");
        result.Outcomes.Single().SafeLandingPath.Should().Be(received);
        (await fixture.ListAsync("landing/")).Should().Contain(Refused, "it stays in landing for the next sweep");
    }

    [Fact]
    public async Task A_sweep_that_could_not_list_a_partners_landing_never_says_landing_is_empty_and_handles_the_others_files()
    {
        using var fixture = new HubFixture();
        var logs = new LoggedLines();
        var hub = fixture.Hub with { Store = new PartnerRefused(fixture.Store, "csc"), Logging = logs };
        await Land(fixture, Feed + "sound.csv", FeedSamples.Csv("police-da-incidents", FeedSamples.Line("police-da-incidents")));

        var result = await new LandingSweep(hub).RunAsync(default);

        result.Outcomes.Should().ContainSingle().Which.Status.Should().Be(IngestStatus.Stored);
        result.UnlistedPartners.Should().Equal("csc");
        result.HasFailures.Should().BeTrue("a partner left unlisted fails the run, as a failed file does");
        result.Summary.Should().EndWith("; the landing of csc could not be listed (access denied)");
        logs.Errors.Should().ContainSingle().Which.Should().Contain("partner csc could not be listed").And.Contain("HTTP 403 AuthorizationPermissionMismatch").And.Contain("'landing-csc'");

        // Nothing was due in what could be listed: that is not an empty landing, when a partner's could not be seen.
        var nothingDue = await new LandingSweep(hub).RunAsync(default);
        nothingDue.Outcomes.Should().BeEmpty();
        nothingDue.Summary.Should().NotContain("nothing left in landing").And.StartWith("nothing due in what could be listed;");
        new LandingSweepResult([], 0).Summary.Should().StartWith("nothing left in landing;", "with every partner listed, it was empty");
    }

    // Landed well over a claim lease before the fixture's clock: the trigger has had its chance.
    private static async Task Land(HubFixture fixture, string path, string content)
    {
        await fixture.Store.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(), WriteOptions.Default, default);
        File.SetLastWriteTimeUtc(fixture.Store.FullPath(path), fixture.Clock.GetUtcNow().UtcDateTime.AddHours(-1));
    }

    /// <summary>A store keeping partners apart (as Azure does) whose one partner's landing refuses the hub its listing.</summary>
    private sealed class PartnerRefused(IObjectStore inner, string partner) : DelegatingStore(inner)
    {
        public override IAsyncEnumerable<StoredObject> ListLandingAsync(Action<string, ObjectUnreachableException> refused, CancellationToken cancellationToken)
        {
            refused(partner, new ObjectUnreachableException($"landing/{partner}/", UnreachableCause.AccessDenied, $"give the identity its role, or at least on its container 'landing-{partner}'", "HTTP 403 AuthorizationPermissionMismatch"));
            return ListAsync("landing/", cancellationToken);
        }
    }

    /// <summary>A storage fault reading one landed file's properties, whose message quotes its path, as I/O messages do.</summary>
    private sealed class UnreadableFile(IObjectStore inner, string path) : DelegatingStore(inner)
    {
        public override Task<StoredObject?> GetAsync(string p, CancellationToken cancellationToken) =>
            p == path ? throw new IOException($"Could not read '{p}'.") : base.GetAsync(p, cancellationToken);
    }
}

/// <summary>A key store that gives its current key once, then is unreachable for the current version; a version it has given stays readable (as Key Vault's cached versions do).</summary>
internal sealed class KeyLostAfterFirstUse(FixedKeys keys) : DataHub.Core.Pseudonymisation.IKeyProvider
{
    private int _uses;

    public Task<DataHub.Core.Pseudonymisation.PseudonymisationKey> GetCurrentAsync(CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _uses) == 1 ? keys.GetCurrentAsync(cancellationToken) : throw new DataHub.Core.Pseudonymisation.KeyUnavailableException("Key Vault could not be reached.");

    public Task<DataHub.Core.Pseudonymisation.PseudonymisationKey> GetVersionAsync(string version, CancellationToken cancellationToken) => keys.GetVersionAsync(version, cancellationToken);
}
