using System.CommandLine;
using System.Globalization;
using DataHub.Host.Embedded;

namespace DataHub.Host.Commands;

/// <summary>Options shared by the commands that work on an embedded root.</summary>
internal static class CommonOptions
{
    /// <summary>The default embedded root.</summary>
    public const string DefaultRoot = ".datahub";

    /// <summary>--root DIR: the embedded root (landing, quarantine, secure, published, audit, keys, logs).</summary>
    public static Option<string> Root() => new("--root")
    {
        Description = "The embedded hub's root folder.",
        DefaultValueFactory = _ => DefaultRoot,
    };

    /// <summary>--protocols DIR: the protocol YAML folder (default: the copy built next to the executable).</summary>
    public static Option<string?> Protocols() => new("--protocols")
    {
        Description = "Folder of data-sharing protocol YAML files (default: functions/protocols as built).",
    };

    /// <summary>--settle-seconds S: how long a file must go unwritten, counted from its last write, before it is taken.</summary>
    /// <param name="defaultSeconds">The command's default.</param>
    /// <param name="description">What the settle time means for the command.</param>
    public static Option<double> SettleSeconds(double defaultSeconds, string description)
    {
        var option = new Option<double>("--settle-seconds") { Description = description, DefaultValueFactory = _ => defaultSeconds };
        option.Validators.Add(result =>
        {
            // A value that is no number is the parser's error to report (reading it here would throw, an unexpected failure).
            if (result.Tokens.Count > 0 && !double.TryParse(result.Tokens[^1].Value, CultureInfo.CurrentCulture, out _))
            {
                return;
            }

            if (result.GetValueOrDefault<double>() is var seconds && (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / SettleWait.Patience))
            {
                result.AddError("--settle-seconds must be 0 or more.");
            }
        });
        return option;
    }
}

/// <summary>The exit codes of every command (README.md lists them).</summary>
public static class ExitCodes
{
    /// <summary>Done: ingested, nothing wrong found.</summary>
    public const int Ok = 0;

    /// <summary>The command line was wrong (System.CommandLine's own parse-error code), or the command cannot go ahead until
    /// someone looks (`ingest` of a name a different waiting file already has): not to be retried as it is.</summary>
    public const int Usage = 1;

    /// <summary>The input was rejected: file quarantined or refused, validation errors, audit chain broken.</summary>
    public const int Rejected = 2;

    /// <summary>Configuration is missing or wrong: no key (run `datahub key init`), a malformed protocol file, a key that already exists.</summary>
    public const int Configuration = 3;

    /// <summary>An unexpected failure (storage, I/O); the file stays in landing for a retry (but `ingest` of a file still
    /// changing after ten settle times, or that changed while it was copied, leaves nothing in landing: ingest it again once it is complete).</summary>
    public const int Failed = 4;

    /// <summary>`run` stopped by Ctrl+C, between files; `ingest` stopped by Ctrl+C while it waited (for FILE to settle, or for another delivery).</summary>
    public const int Interrupted = 130;
}
