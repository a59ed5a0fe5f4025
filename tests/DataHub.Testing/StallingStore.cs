using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>The store operations a <see cref="StallingStore"/> can hold a worker at.</summary>
public enum StoreStep
{
    /// <summary>Just before a write begins (nothing of it sent yet).</summary>
    BeginWrite,

    /// <summary>Just before a delete is sent.</summary>
    Delete,

    /// <summary>Just before a write is committed (made visible).</summary>
    Commit,

    /// <summary>Just before a write begins or a delete is sent, whichever comes first.</summary>
    WriteOrDelete,
}

/// <summary>A store that holds its worker (<see cref="Stall"/>) just before the first <see cref="StoreStep"/> on a path <paramref name="matches"/> accepts; otherwise the inner store.</summary>
public sealed class StallingStore(IObjectStore inner, StoreStep step, Func<string, bool> matches, Stall stall) : DelegatingStore(inner)
{
    /// <inheritdoc />
    public override async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        if (step is (StoreStep.BeginWrite or StoreStep.WriteOrDelete) && matches(path))
        {
            await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var write = await base.BeginWriteAsync(path, options, cancellationToken).ConfigureAwait(false);
        return step == StoreStep.Commit && matches(path)
            ? new WrappedWrite(write, commit: async commit =>
            {
                await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
                return await commit().ConfigureAwait(false);
            })
            : write;
    }

    /// <inheritdoc />
    public override async Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        if (step is (StoreStep.Delete or StoreStep.WriteOrDelete) && matches(path))
        {
            await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return await base.DeleteAsync(path, ifMatchETag, cancellationToken).ConfigureAwait(false);
    }
}
