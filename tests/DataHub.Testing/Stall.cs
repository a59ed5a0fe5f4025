namespace DataHub.Testing;

/// <summary>
/// A worker held at one chosen step until the test lets it go: the first time <see cref="HoldAsync"/> is reached it
/// signals <see cref="Reached"/> and waits for <see cref="Release"/>; later calls pass straight through.
/// </summary>
public sealed class Stall
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held worker has reached the step.</summary>
    public Task Reached => _reached.Task;

    /// <summary>True once the step was reached.</summary>
    public bool WasReached => _reached.Task.IsCompleted;

    /// <summary>Lets the held worker go on.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Holds the first caller until <see cref="Release"/>; every later caller passes.</summary>
    public async Task HoldAsync(CancellationToken cancellationToken)
    {
        if (_reached.TrySetResult())
        {
            await _released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
