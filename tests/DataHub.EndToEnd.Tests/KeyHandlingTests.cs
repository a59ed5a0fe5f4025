using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 14: keys open to other users or malformed are refused with exit 3 and the fix; everything the hub writes is owner-only.</summary>
public sealed class KeyHandlingTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;
    private readonly HubRoot _root = new();
    private readonly SyntheticFile _police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");

    public void Dispose() => _root.Dispose();

    private string KeyFile => Path.Combine(_root.Path, "keys", "datahub-key.json");

    private string KeyFolder => Path.Combine(_root.Path, "keys");

    private Task<(int Code, string Output)> IngestAsync(string name = "jan.csv") => _root.IngestAsync(_police.Partner, _police.Feed, name, _police.Content);

    [Fact]
    public async Task Ingest_refuses_a_key_readable_by_others_in_an_open_folder_with_exit_3_and_the_chmod_that_fixes_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await _root.RunAsync("key", "init");
        File.SetUnixFileMode(KeyFolder, (UnixFileMode)0x1FF);
        File.SetUnixFileMode(KeyFile, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (code, output) = await IngestAsync();
        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain($"chmod 700 {KeyFolder}");
        File.SetUnixFileMode(KeyFolder, OwnerFolder);
        (code, output) = await IngestAsync();
        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain($"chmod 600 {KeyFile}");
        _root.Files("secure").Should().BeEmpty("nothing is pseudonymised with an exposed key");
        _root.Files("landing").Should().BeEmpty("the refusal comes before the file is even landed");

        File.SetUnixFileMode(KeyFile, OwnerFile);
        (await IngestAsync()).Code.Should().Be(ExitCodes.Ok);
    }

    [Theory]
    [InlineData("{\"Current\":\"v1\",\"Keys\":{\"v1\":\"c2VjcmV0IG1hdGVyaWFs!!\"}}")]
    [InlineData("{\"Current\":\"v1\",\"Keys\":{\"v1\":\"c2VjcmV0IG1hdGVyaWFs\"}}")]
    [InlineData("c2VjcmV0IG1hdGVyaWFs")]
    // Key material pasted where a version name belongs: a version name is repeated in messages and stamped on every token.
    [InlineData("{\"Current\":\"c2VjcmV0IG1hdGVyaWFsIHNlY3JldCBtYXRlcmlhbCEh\",\"Keys\":{\"v1\":\"c2VjcmV0IG1hdGVyaWFsIHNlY3JldCBtYXRlcmlhbCEh\"}}")]
    [InlineData("{\"Current\":\"c2VjcmV0IG1hdGVyaWFsIHNlY3JldCBtYXRlcmlhbCEh\",\"Keys\":{\"c2VjcmV0IG1hdGVyaWFsIHNlY3JldCBtYXRlcmlhbCEh\":\"c2VjcmV0IG1hdGVyaWFsIHNlY3JldCBtYXRlcmlhbCEh\"}}")]
    public async Task Malformed_key_material_exits_3_with_a_clear_message_and_no_key_text(string content)
    {
        await _root.RunAsync("key", "init");
        await File.WriteAllTextAsync(KeyFile, content);

        foreach (var (code, output) in new[] { await IngestAsync(), await _root.RunAsync("key", "rotate"), await _root.RunAsync("demo", "--families", "2") })
        {
            code.Should().Be(ExitCodes.Configuration, output);
            output.Should().Contain("malformed").And.Contain(KeyFile);
            output.Should().NotContain("c2VjcmV0").And.NotContain("   at ", "a clear message, no stack trace and no key text");
        }
    }

    [Fact]
    public async Task Key_init_adds_an_audit_key_to_a_root_that_has_only_a_pseudonymisation_key_and_audits_it()
    {
        DataHub.Storage.Local.LocalKeyProvider.Create(_root.Path);
        var (code, output) = await _root.RunAsync("key", "init");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("audit key").And.NotContain("pseudonymisation key (");
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Configuration, "no key is ever overwritten");
        (await _root.RunAsync("key", "rotate")).Code.Should().Be(ExitCodes.Ok);
        (await _root.RunAsync("key", "rotate", "--audit")).Code.Should().Be(ExitCodes.Ok);
        var show = (await _root.RunAsync("audit", "show")).Output;
        show.Should().Contain("key_created").And.Contain("Pseudonymisation key version v2").And.Contain("Audit key version v2");
        (await _root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok, "events sealed before the audit key's rotation still verify");
    }

    [Fact]
    public async Task Every_file_and_folder_the_hub_writes_is_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await _root.RunAsync("key", "init");
        (await IngestAsync()).Code.Should().Be(ExitCodes.Ok);
        (await _root.IngestAsync(_police.Partner, _police.Feed, "bad.csv", "incident_id,surname\nI1,Smith\n")).Code.Should().Be(ExitCodes.Rejected);
        _root.Files("quarantine").Should().NotBeEmpty();
        _root.Files("landing/_processed").Should().NotBeEmpty();

        static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? 0 : File.GetUnixFileMode(path);
        var open = Directory.EnumerateFileSystemEntries(_root.Path, "*", SearchOption.AllDirectories)
            .Where(p => (ModeOf(p) & (UnixFileMode)0x3F) != 0)
            .Select(p => $"{Convert.ToString((int)ModeOf(p), 8)} {Path.GetRelativePath(_root.Path, p)}")
            .ToList();
        open.Should().BeEmpty("archive, quarantine, reports, marts, audit, receipts and logs are all owner-only (600 files, 700 folders)");
    }

    [Fact]
    public async Task An_operators_file_creation_mask_sets_the_modes_of_what_the_hub_writes_and_keys_stay_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var groupReads = new Dictionary<string, string> { [Storage.Local.FileCreationMask.Setting] = "027" };
        var file = Path.Combine(_root.Inputs, "jan.csv");
        await File.WriteAllBytesAsync(file, _police.Content);
        Delivered.Earlier(file); // delivered earlier: not waited for as an upload under way
        (await CliProcess.RunAsync(groupReads, TimeSpan.FromMinutes(2), "key", "init", "--root", _root.Path)).Code.Should().Be(ExitCodes.Ok);
        var (code, output) = await CliProcess.RunAsync(groupReads, TimeSpan.FromMinutes(2), "ingest", file, "--partner", _police.Partner, "--feed", _police.Feed, "--root", _root.Path);
        code.Should().Be(ExitCodes.Ok, output);

        var marts = Directory.EnumerateFiles(Path.Combine(_root.Path, "secure"), "*", SearchOption.AllDirectories).ToList();
        marts.Should().Contain(f => f.EndsWith(".parquet", StringComparison.Ordinal)).And.Contain(f => f.EndsWith(".json", StringComparison.Ordinal));
        marts.Select(File.GetUnixFileMode).Should().OnlyContain(m => m == (OwnerFile | UnixFileMode.GroupRead), "marts and manifests follow the mask (640), no mode is forced on them");
        File.GetUnixFileMode(Path.GetDirectoryName(marts[0])!).Should().Be(OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        File.GetUnixFileMode(KeyFile).Should().Be(OwnerFile, "keys stay 600 whatever the mask");
        File.GetUnixFileMode(KeyFolder).Should().Be(OwnerFolder);
    }
}
