using Azure;

namespace DataHub.Storage.Azure;

/// <summary>Runs a setup step (creating containers or a table) once it has succeeded; a failed run is tried again next time.</summary>
internal sealed class OnceSucceeded(Func<CancellationToken, Task> step)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    /// <summary>
    /// A step that creates what the deployment already made in Azure (Azurite starts empty). An identity allowed only to
    /// read, such as an operator's running `datahub audit verify --azure`, is refused the create (403) and carries on.
    /// </summary>
    public static OnceSucceeded Creating(Func<CancellationToken, Task> create) => new(async ct =>
    {
        try
        {
            await create(ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // Nothing to do: a reader cannot create, and what it reads was made by the deployment.
        }
    });

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
