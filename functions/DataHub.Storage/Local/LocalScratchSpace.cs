using DataHub.Core.Storage;

namespace DataHub.Storage.Local;

/// <summary>Scratch files in a local folder (the machine's temp folder by default; on Azure Functions, the host's local
/// temp disk), each deleted by the operating system when its stream is closed, also if the process dies.</summary>
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
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose | FileOptions.RandomAccess);
    }
}
