using DataHub.Core.Pseudonymisation;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Audit;

public sealed class KeyProviderTests : IDisposable
{
    private readonly TempFolder _root = new("keys");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Refuses_to_give_a_key_when_none_was_created()
    {
        var act = () => new LocalKeyProvider(_root.Path).GetCurrentAsync(default);
        (await act.Should().ThrowAsync<KeyUnavailableException>()).WithMessage("*key init*");
    }

    [Fact]
    public async Task Init_creates_a_random_key_per_root_and_never_overwrites_it()
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
            File.GetUnixFileMode(LocalKeyProvider.PathFor(_root.Path)).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
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
}
