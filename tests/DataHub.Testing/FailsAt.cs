using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>The n-th write or delete (of those <paramref name="counts"/> picks) fails as a full disk would, before anything of it is stored.</summary>
public sealed class FailsAt(IObjectStore inner, int n, Func<string, bool>? counts = null) : DelegatingStore(inner)
{
    /// <summary>The writes and deletes counted so far.</summary>
    public int Calls { get; private set; }

    /// <summary>The path whose write or delete failed, once one has.</summary>
    public string? Failed { get; private set; }

    /// <inheritdoc />
    public override Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        Count(path);
        return base.BeginWriteAsync(path, options, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        Count(path);
        return base.DeleteAsync(path, ifMatchETag, cancellationToken);
    }

    private void Count(string path)
    {
        if ((counts is null || counts(path)) && ++Calls == n)
        {
            Failed = path;
            throw new IOException("No space left on device.");
        }
    }
}
