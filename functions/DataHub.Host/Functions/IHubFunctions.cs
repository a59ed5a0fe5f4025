namespace DataHub.Host.Functions;

/// <summary>The three functions the custom handler serves, each returning one safe summary line for the host's log.</summary>
public interface IHubFunctions
{
    /// <summary>Ingests the landed blob at <paramref name="landingPath"/> if it is still version <paramref name="eTag"/>.</summary>
    /// <returns>The outcome; <see cref="FunctionResult.Retry"/> asks the host to deliver the event again.</returns>
    Task<FunctionResult> IngestAsync(string landingPath, string? eTag, CancellationToken cancellationToken);

    /// <summary>Runs the quarterly rollup.</summary>
    Task<FunctionResult> RollupAsync(TimerTriggerEvent timer, CancellationToken cancellationToken);

    /// <summary>Deletes what the agreements' retention periods say must go.</summary>
    Task<FunctionResult> EnforceRetentionAsync(TimerTriggerEvent timer, CancellationToken cancellationToken);
}

/// <summary>A function's result for the host: a summary line (no raw values) and whether the host should retry.</summary>
public sealed record FunctionResult(string Summary, bool Retry = false);
