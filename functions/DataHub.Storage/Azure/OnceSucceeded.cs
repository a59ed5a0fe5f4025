namespace DataHub.Storage.Azure;

/// <summary>Runs a setup step (creating containers or a table) once it has succeeded; a failed run is tried again next time.</summary>
internal sealed class OnceSucceeded(Func<CancellationToken, Task> step)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_done)
            {
                await step(cancellationToken).ConfigureAwait(false);
                _done = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
