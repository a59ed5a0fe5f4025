using DataHub.Core.Hub;

namespace DataHub.Host.Commands;

/// <summary>What commands write to and run against: output, clock and ingest tuning (tests substitute their own).</summary>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Time">The clock ("today" for agreements).</param>
/// <param name="Settings">Ingest tuning; null for the defaults.</param>
public sealed record CommandEnvironment(TextWriter Output, TextWriter Error, TimeProvider Time, IngestSettings? Settings = null)
{
    /// <summary>Environment variables by name (tests pass their own): the app settings `audit … --azure` reads.</summary>
    public Func<string, string?> Variables { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The real console and clock.</summary>
    public static CommandEnvironment Console() => new(System.Console.Out, System.Console.Error, TimeProvider.System);
}
