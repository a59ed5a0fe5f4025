using System.Security.Cryptography;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// Issue 9, acceptance 2 and 3: `datahub` processes killed at seeded random points, and five deliveries of one file with
/// two rollups at once, leave exactly one stored copy (or none), receipts and audit in agreement, no temporary file and
/// no half batch visible to any reader. Small files, so each process lives about a second.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CrashAndConcurrencyTests(ProcessRoot hub)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Processes_killed_at_seeded_random_points_leave_one_stored_copy_or_none_and_a_consistent_hub()
    {
        var random = new Random(20261122);
        var ingestTime = await hub.TimedIngestAsync(hub.PoliceFile(seed: 1000));
        var before = (await hub.AssertConsistentAsync("before the first kill", expectedBatches: null)).Count;
        for (var round = 0; round < 16; round++)
        {
            var file = hub.PoliceFile(seed: 2000 + round);
            var killRollup = round % 4 == 3;
            using (var victim = killRollup ? CliProcess.Start("rollup", "--root", hub.Path) : CliProcess.Start(hub.IngestArgs(file)))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * ingestTime.TotalMilliseconds * 1.1));
                victim.Kill();
            }

            // The restart: the same delivery again (or the next rollup), which must finish and leave everything consistent.
            var (code, output) = killRollup
                ? await CliProcess.RunAsync(Patience, "rollup", "--root", hub.Path)
                : await CliProcess.RunAsync(Patience, hub.IngestArgs(file));
            code.Should().Be(ExitCodes.Ok, $"round {round}: {output}");
            if (killRollup)
            {
                (await CliProcess.RunAsync(Patience, hub.IngestArgs(file))).Code.Should().Be(ExitCodes.Ok);
            }

            await hub.AssertConsistentAsync($"round {round}", expectedBatches: before + round + 1);
        }
    }

    [Fact]
    public async Task Five_deliveries_of_one_file_and_two_rollups_at_once_store_it_once_every_time()
    {
        for (var round = 0; round < 20; round++)
        {
            var file = hub.PoliceFile(seed: 5000 + round);
            var processes = Enumerable.Range(0, 5).Select(_ => CliProcess.Start(hub.IngestArgs(file)))
                .Concat(Enumerable.Range(0, 2).Select(_ => CliProcess.Start("rollup", "--root", hub.Path)))
                .ToList();
            try
            {
                var codes = await Task.WhenAll(processes.Select(p => p.WaitAsync(Patience)));
                for (var i = 0; i < processes.Count; i++)
                {
                    codes[i].Should().Be(ExitCodes.Ok, $"round {round}, process {i}: {processes[i].Output}");
                    processes[i].Output.Should().NotContain("Unhandled exception");
                }
            }
            finally
            {
                processes.ForEach(p => p.Dispose());
            }

            var batch = await hub.AssertConsistentAsync($"round {round}", expectedBatches: null);
            batch.Should().Contain(b => b.SourceSha256 == ProcessRoot.Sha256(file), $"round {round}: the file is stored, once");
        }
    }
}

/// <summary>The process-level tests share the machine's two cores: they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection : ICollectionFixture<ProcessRoot>
{
    public const string Name = "datahub processes";
}

/// <summary>An embedded root with a key and a small cohort (so rollups have something to read), and the checks every round ends with.</summary>
public sealed class ProcessRoot : IAsyncLifetime
{
    private readonly HubRoot _root = new();

    public string Path => _root.Path;

    public async Task InitializeAsync()
    {
        (await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "key", "init", "--root", Path)).Code.Should().Be(ExitCodes.Ok);
        var cohort = SyntheticHub.Generate(new SeedOptions { Families = 12, SchoolsAsXlsx = false, GroundTruth = false }).Files.First(f => f.Feed == "csc-people");
        var file = System.IO.Path.Combine(_root.Inputs, cohort.FileName);
        await File.WriteAllBytesAsync(file, cohort.Content);
        Delivered.Earlier(file); // delivered earlier: not waited for as an upload under way
        (await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "ingest", file, "--partner", cohort.Partner, "--feed", cohort.Feed, "--root", Path)).Code.Should().Be(ExitCodes.Ok);
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    public static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>A police extract of 1,500 rows over every quarter of the synthetic years (about 18 quarter files), distinct per seed.</summary>
    public string PoliceFile(int seed)
    {
        var file = System.IO.Path.Combine(_root.Inputs, $"police-{seed}.csv");
        using (var output = File.Create(file))
        {
            LargeExtracts.WritePoliceIncidentsCsv(output, 1_500, seed);
        }

        // An extract delivered earlier: one just written would wait to settle before every ingest of it.
        return Delivered.Earlier(file);
    }

    public string[] IngestArgs(string file) => ["ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", Path];

    public async Task<TimeSpan> TimedIngestAsync(string file)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        (await CliProcess.RunAsync(TimeSpan.FromMinutes(3), IngestArgs(file))).Code.Should().Be(ExitCodes.Ok);
        return started.Elapsed;
    }

    /// <summary>
    /// No temporary file anywhere; every quarter file listed by a committed manifest and every manifest's files present
    /// and matching; every receipt completed and stored once; nothing waiting in landing; the audit chain intact and
    /// recording every committed batch; the published KPI pointer naming a complete version. Returns the committed batches.
    /// </summary>
    public async Task<IReadOnlyList<MartManifest>> AssertConsistentAsync(string because, int? expectedBatches)
    {
        Directory.EnumerateFiles(Path, ".tmp-*", SearchOption.AllDirectories).Should().BeEmpty(because);
        var store = new LocalObjectStore(Path);
        var catalog = new MartCatalog(store);
        var batches = new List<MartManifest>();
        foreach (var feed in MartCatalog.Feeds)
        {
            var state = await catalog.ScanAsync(feed, default);
            state.Unlisted.Should().BeEmpty($"{because}: no quarter file outside a committed batch");
            foreach (var (manifest, _) in state.Batches)
            {
                foreach (var file in manifest.Files)
                {
                    var bytes = await File.ReadAllBytesAsync(store.FullPath(file.Path));
                    Convert.ToHexStringLower(SHA256.HashData(bytes)).Should().Be(file.Sha256, $"{because}: {file.Path} is the file its manifest committed");
                }

                batches.Add(manifest);
            }
        }

        batches.Select(b => b.SourceSha256).Should().OnlyHaveUniqueItems($"{because}: one stored copy of each content");
        if (expectedBatches is { } expected)
        {
            batches.Should().HaveCount(expected, because);
        }

        var receipts = new LocalReceiptStore(Path);
        foreach (var batch in batches)
        {
            var receipt = await receipts.GetAsync(new ReceiptKey(batch.Partner, batch.Feed, batch.SourceSha256), default);
            receipt.Should().NotBeNull(because);
            receipt!.State.Should().Be(ReceiptState.Completed, because);
            receipt.Outcome.Should().Be(ReceiptRules.Stored, because);
        }

        Directory.EnumerateFiles(System.IO.Path.Combine(Path, "landing"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/_processed/", StringComparison.Ordinal)).Should().BeEmpty($"{because}: nothing left waiting in landing");

        var audit = new LocalAuditLog(Path, TimeProvider.System);
        var verified = await AuditVerifier.VerifyAsync(audit, default);
        verified.Intact.Should().BeTrue($"{because}: {verified.Message}");
        var written = (await audit.ReadAsync(default).ToListAsync()).Where(e => e.Entry.Kind == AuditKinds.Written).Select(e => e.Entry.Path).ToHashSet();
        batches.Should().OnlyContain(b => written.Contains(b.Path), $"{because}: every committed batch is audited");

        var pointer = System.IO.Path.Combine(Path, "published", "kpi", "current.json");
        if (File.Exists(pointer))
        {
            using var current = JsonDocument.Parse(await File.ReadAllBytesAsync(pointer));
            var version = current.RootElement.EnumerateObject().First(p => p.Name.Equals("version", StringComparison.OrdinalIgnoreCase)).Value.GetString()!;
            using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(store.FullPath(version + "/manifest.json")));
            foreach (var output in manifest.RootElement.EnumerateObject().First(p => p.Name.Equals("outputs", StringComparison.OrdinalIgnoreCase)).Value.EnumerateArray())
            {
                var path = output.EnumerateObject().First(p => p.Name.Equals("path", StringComparison.OrdinalIgnoreCase)).Value.GetString()!;
                File.Exists(store.FullPath(path)).Should().BeTrue($"{because}: the published version is complete");
            }
        }

        return batches;
    }
}
