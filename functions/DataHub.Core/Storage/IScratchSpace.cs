namespace DataHub.Core.Storage;

/// <summary>Temporary files for work too big to keep in memory (spilled duplicate-row hashes), private to one process.</summary>
public interface IScratchSpace
{
    /// <summary>A new empty, readable, writable and seekable file; disposing the stream deletes it.</summary>
    Stream CreateFile();
}

/// <summary>Scratch "files" held in memory: for tools that read one file (<c>datahub validate</c>) and for tests.</summary>
public sealed class InMemoryScratchSpace : IScratchSpace
{
    /// <inheritdoc />
    public Stream CreateFile() => new MemoryStream();
}
