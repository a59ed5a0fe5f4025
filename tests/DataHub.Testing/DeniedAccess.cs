namespace DataHub.Testing;

/// <summary>A folder or file made mode 000, or another mode denying this process (as a partner's SFTP upload can leave one), until disposed, when its owner gets it back so it can be removed.</summary>
public sealed class DeniedAccess : IDisposable
{
    private readonly string _path;
    private readonly UnixFileMode _mode;

    /// <summary>Gives <paramref name="path"/> <paramref name="mode"/>: by default no permission bit at all.</summary>
    public DeniedAccess(string path, UnixFileMode mode = UnixFileMode.None)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Permission bits are Unix's.");
        }

        _path = path;
        _mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, mode);
    }

    /// <summary>Gives the path its mode back now (the fix an operator makes), rather than when disposed.</summary>
    public void Restore()
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_path, _mode);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Path.Exists(_path))
        {
            Restore();
        }
    }
}
