using DataHub.Core.Storage;

namespace DataHub.Storage.Local;

/// <summary>Scratch files in a local folder (the machine's temp folder by default; on Azure Functions, the host's local
/// temp disk). On Linux each file is unlinked as soon as it is opened, so nothing is left behind even if the process is
/// killed; elsewhere it is deleted when its stream is closed.</summary>
public sealed class LocalScratchSpace : IScratchSpace
{
    private readonly string _folder;

    /// <summary>Uses <paramref name="folder"/>, created when missing; default: datahub-scratch in the temp folder.</summary>
    public LocalScratchSpace(string? folder = null)
    {
        _folder = folder ?? Path.Combine(Path.GetTempPath(), "datahub-scratch");
    }

    /// <inheritdoc />
    public Stream CreateFile()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".tmp");
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose | FileOptions.RandomAccess);
        }

        // The open handle keeps the unlinked file's bytes until it is closed or the process ends, whichever comes first.
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.RandomAccess);
        try
        {
            File.Delete(path);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
