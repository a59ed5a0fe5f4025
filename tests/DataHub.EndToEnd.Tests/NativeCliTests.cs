using System.Text;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// The native (AOT) `datahub` a user installs, published once per test run (<see cref="PublishedCli"/>), run through the
/// commands users run and compared with the JIT-compiled build output on the same seeded data. What only breaks ahead of
/// time (a type trimmed away, JSON without generated metadata, a library reaching for reflection) fails here, not in the
/// in-process tests.
/// </summary>
public sealed class NativeCliTests(NativeCliFixture native) : IClassFixture<NativeCliFixture>
{
    private static readonly SyntheticDataset Small = SyntheticHub.Generate(new SeedOptions { Families = 12 });

    [Fact]
    public void Publish_makes_one_native_executable_with_the_demo_protocols_beside_it()
    {
        var bytes = File.ReadAllBytes(native.Cli.Path);
        bytes.AsSpan(0, 4).SequenceEqual("\u007FELF"u8).Should().BeTrue("the published datahub is a native executable");
        var folder = Path.GetDirectoryName(native.Cli.Path)!;
        File.Exists(Path.Combine(folder, "datahub.dll")).Should().BeFalse("nothing is left to JIT-compile");
        Directory.EnumerateFiles(Path.Combine(folder, "protocols"), "*.yaml").Should().NotBeEmpty();
    }

    [Fact]
    public void Native_demo_ingests_every_feed_including_the_xlsx_one_and_publishes_what_the_jit_build_publishes()
    {
        native.Demo.Code.Should().Be(ExitCodes.Ok, native.Demo.Output);
        native.JitDemo.Code.Should().Be(ExitCodes.Ok, native.JitDemo.Output);
        native.Demo.Output.Should().MatchRegex(@"school-attendance/[^ ]+\.xlsx: Stored");
        IngestSummary(native.Demo.Output).Should().Be(IngestSummary(native.JitDemo.Output));

        // The rollup read the marts back, published the KPI and governance tables and the board report, each as the JIT build did.
        Text(native.Root, "published/kpi", "kpi_values.csv").Should().Be(Text(native.JitRoot, "published/kpi", "kpi_values.csv"));
        Text(native.Root, "published/governance", "rejections.csv").Should().Be(Text(native.JitRoot, "published/governance", "rejections.csv"));
        Names(native.Root, "published").Should().Equal(Names(native.JitRoot, "published")).And.Contain(n => n.StartsWith("board-report-", StringComparison.Ordinal));
        MartRows(native.Root).Should().Equal(MartRows(native.JitRoot)).And.HaveCount(FeedCount(native.Demo.Output));
    }

    [Fact]
    public async Task Native_validate_label_and_parquet_commands_answer_as_the_jit_build_does()
    {
        var police = Small.Files.First(f => f.Feed == "police-da-incidents");
        var school = Small.Files.First(f => f.FileName.EndsWith(".xlsx", StringComparison.Ordinal));
        var mart = Directory.EnumerateFiles(Path.Combine(native.Root, "secure", "police-da-incidents"), "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        string[][] commands =
        [
            ["validate", native.Input(police), "--feed", police.Feed],
            ["validate", native.Input(school), "--feed", school.Feed],
            ["label", police.FileName, "attendance 2019.xlsx", "--root", native.Root],
            ["parquet", "schema", mart],
            ["parquet", "head", mart, "--rows", "5"],
            ["parquet", "stats", mart],
        ];
        foreach (var command in commands)
        {
            var ran = await native.RunAsync(command);
            ran.Code.Should().Be(ExitCodes.Ok, ran.Output);
            ran.Should().Be(await native.RunJitAsync(command), string.Join(' ', command));
        }
    }

    [Fact]
    public async Task Native_key_init_ingest_key_rotate_and_audit_verify_keep_a_sound_chain()
    {
        using var root = new TempFolder("native-keys");
        var police = Small.Files.First(f => f.Feed == "police-da-incidents");
        (await native.RunAsync("key", "init", "--root", root.Path)).Code.Should().Be(ExitCodes.Ok);
        var first = await native.RunAsync("ingest", native.Input(police), "--partner", police.Partner, "--feed", police.Feed, "--root", root.Path);
        first.Code.Should().Be(ExitCodes.Ok, first.Output);
        (await native.RunAsync("key", "rotate", "--root", root.Path)).Code.Should().Be(ExitCodes.Ok);
        (await native.RunAsync("key", "rotate", "--audit", "--root", root.Path)).Code.Should().Be(ExitCodes.Ok);
        var second = await native.RunAsync("ingest", native.Input(police with { FileName = "feb.csv", Content = [.. police.Content, .. "\n"u8] }), "--partner", police.Partner, "--feed", police.Feed, "--root", root.Path);
        second.Code.Should().Be(ExitCodes.Ok, second.Output);

        var verified = await native.RunAsync("audit", "verify", "--root", root.Path);
        verified.Code.Should().Be(ExitCodes.Ok, verified.Output);
        verified.Output.Should().StartWith("Audit chain intact");
        verified.Should().Be(await native.RunJitAsync("audit", "verify", "--root", root.Path));
        var shown = await native.RunAsync("audit", "show", "--root", root.Path);
        shown.Code.Should().Be(ExitCodes.Ok, shown.Output);
        shown.Output.Should().Contain(AuditKinds.KeyRotated).And.Contain("police-da-incidents");
        Directory.EnumerateFiles(Path.Combine(root.Path, "secure", police.Feed), "*.parquet", SearchOption.AllDirectories).Should().NotBeEmpty();
    }

    [Fact]
    public async Task Native_audit_verify_and_show_read_the_azure_audit_table()
    {
        await using var azurite = await Azurite.StartNewAsync();
        (await native.RunAsync("key", "init", "--root", azurite.KeyRoot)).Code.Should().Be(ExitCodes.Ok);
        var storage = AzureStorage.ForEmulator(azurite.ConnectionString, new AzureClientSettings());
        var log = storage.AuditLog(new LocalAuditKeyProvider(azurite.KeyRoot), storage.Anchors(), TimeProvider.System);
        foreach (var kind in new[] { AuditKinds.Received, AuditKinds.Archived, AuditKinds.Received })
        {
            await log.AppendAsync(new AuditEntry(kind, Partner: "police", Feed: "police-da-incidents", Detail: "native check"), CancellationToken.None);
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AzureNames.StorageSetting] = azurite.ConnectionString,
            [AzureNames.KeyRootSetting] = azurite.KeyRoot,
        };
        var verified = await native.RunAsync(settings, "audit", "verify", "--azure");
        verified.Code.Should().Be(ExitCodes.Ok, verified.Output);
        verified.Output.Should().StartWith("Audit chain intact: 3 events");
        verified.Should().Be(await native.RunJitAsync(settings, "audit", "verify", "--azure"));
        var shown = await native.RunAsync(settings, "audit", "show", "--azure");
        shown.Code.Should().Be(ExitCodes.Ok, shown.Output);
        shown.Output.Should().Contain("police-da-incidents");
    }

    /// <summary>The demo's per-feed table (files, rows accepted and rejected, key shares).</summary>
    private static string IngestSummary(string output)
    {
        var start = output.IndexOf("== Ingest summary", StringComparison.Ordinal);
        var end = output.IndexOf("Marts under", start + 1, StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, output);
        return output[start..end];
    }

    private static int FeedCount(string demoOutput) => IngestSummary(demoOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 2;

    /// <summary>A published file of the current version under <paramref name="folder"/> (its current.json names it).</summary>
    private static string Text(string root, string folder, string file)
    {
        using var pointer = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, folder, "current.json")));
        return File.ReadAllText(Path.Combine(root, pointer.RootElement.GetProperty("version").GetString()!, file));
    }

    /// <summary>The file names (not version folders) under a folder of the root.</summary>
    private static List<string> Names(string root, string folder) =>
        [.. Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Rows stored per feed, as the committed batch manifests record them.</summary>
    private static List<string> MartRows(string root) =>
    [
        .. Directory.EnumerateFiles(Path.Combine(root, "secure"), "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "_batches")
            .Select(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement)
            .GroupBy(m => m.GetProperty("feed").GetString())
            .Select(g => $"{g.Key}: {g.Sum(m => m.GetProperty("rows").GetInt64())}")
            .Order(StringComparer.Ordinal),
    ];
}

/// <summary>Publishes the native `datahub` and runs `datahub demo` once with it and once with the JIT-compiled build output.</summary>
public sealed class NativeCliFixture : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly Dictionary<string, string> NoSettings = [];
    private readonly TempFolder _folder = new("native-cli");

    /// <summary>The published executable.</summary>
    public PublishedCli Cli { get; private set; } = new("", TimeSpan.Zero);

    /// <summary>The root the native demo filled.</summary>
    public string Root => _folder.File("native");

    /// <summary>The root the JIT-compiled demo filled (same seed).</summary>
    public string JitRoot => _folder.File("jit");

    public (int Code, string Output) Demo { get; private set; }

    public (int Code, string Output) JitDemo { get; private set; }

    public async Task InitializeAsync()
    {
        Cli = await Task.Run(() => PublishedCli.Publish("DataHub.EndToEnd.Tests"));
        Demo = await RunAsync("demo", "--root", Root);
        JitDemo = await RunJitAsync("demo", "--root", JitRoot);
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Writes a seeded file outside any root and returns its path.</summary>
    public string Input(SyntheticFile file)
    {
        var path = _folder.File("inputs", file.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, file.Content);

        // An extract delivered earlier, as operators ingest them: one just written would wait to settle first.
        return Delivered.Earlier(path);
    }

    public Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(NoSettings, args);

    public Task<(int Code, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        CliProcess.RunExecutableAsync(Cli.Path, environment, Timeout, args);

    public Task<(int Code, string Output)> RunJitAsync(params string[] args) => RunJitAsync(NoSettings, args);

    public Task<(int Code, string Output)> RunJitAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        CliProcess.RunAsync(environment, Timeout, args);
}
