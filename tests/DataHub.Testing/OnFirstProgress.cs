using DataHub.Core.Ingestion;

namespace DataHub.Testing;

/// <summary>Runs an action the first time the handler reports progress, i.e. while it reads the file's rows.</summary>
public sealed class OnFirstProgress(Action action) : IProgress<IngestProgress>
{
    /// <summary>True once the action has run.</summary>
    public bool Done { get; private set; }

    /// <inheritdoc />
    public void Report(IngestProgress value)
    {
        if (!Done)
        {
            Done = true;
            action();
        }
    }
}
