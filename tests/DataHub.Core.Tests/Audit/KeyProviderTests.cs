using System.Text;
using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Audit;

public sealed class KeyProviderTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly TempFolder _root = new("keys");

    public void Dispose() => _root.Dispose();

    private string KeyFile => LocalKeyProvider.PathFor(_root.Path);

    private string KeyFolder => Path.GetDirectoryName(KeyFile)!;

    [Fact]
    public async Task Refuses_to_give_a_key_when_none_was_created()
    {
        var act = () => new LocalKeyProvider(_root.Path).GetCurrentAsync(default);
        (await act.Should().ThrowAsync<KeyUnavailableException>()).WithMessage("*key init*");
    }

    [Fact]
    public async Task Init_creates_a_random_key_per_root_owner_only_and_never_overwrites_it()
    {
        using var other = new TempFolder("keys");
        LocalKeyProvider.Create(_root.Path).Should().Be("v1");
        LocalKeyProvider.Create(other.Path);
        var a = await new LocalKeyProvider(_root.Path).GetCurrentAsync(default);
        var b = await new LocalKeyProvider(other.Path).GetCurrentAsync(default);
        a.Material.Length.Should().Be(32);
        a.Material.SequenceEqual(b.Material).Should().BeFalse();
        var again = () => LocalKeyProvider.Create(_root.Path);
        again.Should().Throw<InvalidOperationException>();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(KeyFile).Should().Be(OwnerFile);
            File.GetUnixFileMode(KeyFolder).Should().Be(OwnerFolder);
        }
    }

    [Fact]
    public async Task The_audit_key_is_a_separate_key_in_its_own_file_beside_the_pseudonymisation_key()
    {
        LocalKeyProvider.Create(_root.Path);
        LocalAuditKeyProvider.Create(_root.Path);
        Path.GetDirectoryName(LocalAuditKeyProvider.PathFor(_root.Path)).Should().Be(KeyFolder);
        var pseudonymisation = await new LocalKeyProvider(_root.Path).GetCurrentAsync(default);
        var audit = await new LocalAuditKeyProvider(_root.Path).GetCurrentAsync(default);
        audit.Seal("x"u8).Should().NotBe(new Core.Audit.AuditKey("v1", pseudonymisation.Material).Seal("x"u8));
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(LocalAuditKeyProvider.PathFor(_root.Path)).Should().Be(OwnerFile);
        }
    }

    [Fact]
    public async Task Reads_a_key_file_as_every_earlier_version_wrote_it()
    {
        // The file's JSON is a contract with the roots already out there: its property names and shape must not drift.
        var v1 = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var v2 = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        LocalKeyProvider.Create(_root.Path); // the folder and file, owner-only; their content is replaced below
        File.WriteAllText(KeyFile, $$$"""{"Current":"v2","Keys":{"v1":"{{{Convert.ToBase64String(v1)}}}","v2":"{{{Convert.ToBase64String(v2)}}}"}}""");

        var provider = new LocalKeyProvider(_root.Path);
        var current = await provider.GetCurrentAsync(default);

        current.Version.Should().Be("v2");
        current.Material.SequenceEqual(v2).Should().BeTrue();
        (await provider.GetVersionAsync("v1", default)).Material.SequenceEqual(v1).Should().BeTrue();
        LocalKeyProvider.Rotate(_root.Path).Should().Be("v3");
        File.ReadAllText(KeyFile).Should().StartWith("""{"Current":"v3","Keys":{"v1":""", "a rotation rewrites the file in the same shape");
    }

    [Fact]
    public async Task Rotate_makes_a_new_current_version_and_keeps_the_old_one_readable()
    {
        LocalKeyProvider.Create(_root.Path);
        var provider = new LocalKeyProvider(_root.Path);
        var v1 = await provider.GetCurrentAsync(default);
        LocalKeyProvider.Rotate(_root.Path).Should().Be("v2");
        (await provider.GetCurrentAsync(default)).Version.Should().Be("v2");
        (await provider.GetVersionAsync("v1", default)).Material.SequenceEqual(v1.Material).Should().BeTrue();
    }

    [Fact]
    public async Task Refuses_a_key_file_readable_by_others_and_names_the_chmod_that_fixes_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        LocalKeyProvider.Create(_root.Path);
        File.SetUnixFileMode(KeyFile, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var act = () => new LocalKeyProvider(_root.Path).GetCurrentAsync(default);
        (await act.Should().ThrowAsync<KeyUnavailableException>()).WithMessage($"*mode 644*chmod 600 {KeyFile}*");
        File.SetUnixFileMode(KeyFile, OwnerFile);
        (await new LocalKeyProvider(_root.Path).GetCurrentAsync(default)).Version.Should().Be("v1", "the chmod it names is the whole fix");
    }

    [Fact]
    public async Task Refuses_a_key_folder_open_to_others_and_names_the_chmod_that_fixes_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        LocalAuditKeyProvider.Create(_root.Path);
        File.SetUnixFileMode(KeyFolder, OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var act = () => new LocalAuditKeyProvider(_root.Path).GetCurrentAsync(default);
        (await act.Should().ThrowAsync<KeyUnavailableException>()).WithMessage($"*mode 777*chmod 700 {KeyFolder}*");
    }

    [Theory]
    [InlineData("{\"Current\":\"v1\",\"Keys\":{\"v1\":\"SECRET-NOT-BASE64!!\"}}", "not base64")]
    [InlineData("{\"Current\":\"v1\",\"Keys\":{\"v1\":\"U0VDUkVUU0VDUkVU\"}}", "fewer than 32 bytes")]
    [InlineData("{\"Current\":\"v1\",\"Keys\":{\"v2\":\"U0VDUkVUU0VDUkVU\"}}", "no key version 'v1'")]
    [InlineData("{\"Current\":\"\",\"Keys\":{}}", "lacks its current version")]
    [InlineData("SECRET garbage U0VDUkVUU0VDUkVU", "not the JSON")]
    public async Task Malformed_key_material_is_refused_with_a_clear_message_holding_no_key_text(string content, string reason)
    {
        LocalKeyProvider.Create(_root.Path);
        await File.WriteAllTextAsync(KeyFile, content);
        var act = () => new LocalKeyProvider(_root.Path).GetCurrentAsync(default);
        var message = (await act.Should().ThrowAsync<KeyUnavailableException>()).Which.Message;
        message.Should().Contain(reason).And.Contain(KeyFile);
        message.Should().NotContain("SECRET").And.NotContain("U0VDUkVU", "no part of the stored key text is repeated");
        var rotate = () => LocalKeyProvider.Rotate(_root.Path);
        if (reason != "no key version 'v1'")
        {
            rotate.Should().Throw<KeyUnavailableException>();
        }
    }

    [Fact]
    public void Key_material_shorter_than_256_bits_or_not_base64_is_refused_by_the_shared_decoder()
    {
        var shortKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("0123456789"));
        var act = () => KeyMaterial.Decode(shortKey, "the test key");
        act.Should().Throw<KeyUnavailableException>().Which.Message.Should().NotContain(shortKey);
        KeyMaterial.Decode(Convert.ToBase64String(new byte[32]), "the test key").Should().HaveCount(32);
    }
}
