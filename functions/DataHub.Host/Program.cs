using System.CommandLine;
using DataHub.Host.Commands;

namespace DataHub.Host;

/// <summary>The `datahub` command line: each command group lives in Commands/ and is added here.</summary>
public static class Program
{
    /// <summary>Parses the arguments and runs the chosen command; the exit codes are listed in README.md.</summary>
    public static Task<int> Main(string[] args) => RunAsync(args, CommandEnvironment.Console());

    /// <summary>Runs the command line against <paramref name="env"/> (tests pass their own output and clock).</summary>
    public static async Task<int> RunAsync(string[] args, CommandEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        try
        {
            // Before any command creates a file: everything the hub writes is owner-only unless the operator says otherwise.
            Storage.Local.FileCreationMask.Apply(Storage.Local.FileCreationMask.Parse(Environment.GetEnvironmentVariable(Storage.Local.FileCreationMask.Setting)));
        }
        catch (ArgumentException ex)
        {
            await env.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Configuration;
        }

        var root = CommandLine(env);
        // Ctrl+C cancels the command's token; the command then finishes the file or job under way (nothing is cut short)
        // and ends. Only a command still busy after this long is terminated, and start-up clean-up repairs what it left.
        // No response files: an argument beginning with '@' is a file name (a partner's may start with one), never the name
        // of a file of arguments to read, and never echoed back in a "response file not found" message.
        // No default exception handler either: it prints an exception's message and stack trace, and storage and library
        // messages quote paths (a landed file's name may name a person). What no command handles is named by its type only.
        var invocation = new InvocationConfiguration { Output = env.Output, Error = env.Error, ProcessTerminationTimeout = TimeSpan.FromMinutes(10), EnableDefaultExceptionHandler = false };
        try
        {
            var parsed = Parse(root, args);
            if (parsed.Errors.Count > 0)
            {
                return await UsageErrors.ReportAsync(root, parsed, args, invocation, env.Error).ConfigureAwait(false);
            }

            return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await env.Error.WriteLineAsync($"The command stopped on an unexpected {ex.GetType().Name} (its message is not shown: it can quote a file's name). A file being ingested stays in landing; the audit log and the hub's log say what was done.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    /// <summary>Every command, as the command line offers them.</summary>
    internal static RootCommand CommandLine(CommandEnvironment env) =>
        new("DataHub: a data-sharing hub for partner extracts, pseudonymised marts and disclosure-safe KPIs.")
        {
            DemoCommand.Create(env),
            IngestCommand.Create(env),
            RunCommand.Create(env),
            ValidateCommand.Create(env),
            LabelCommand.Create(env),
            KeyCommands.Create(env),
            AuditCommands.Create(env),
            ParquetCommands.Create(env),
            RetentionCommand.Create(env),
            RollupCommand.Create(env),
            GovernanceCommands.Governance(env),
            GovernanceCommands.Report(env),
        };

    /// <summary>Parses <paramref name="args"/> as the command line does: no response files (see <see cref="RunAsync"/>).</summary>
    internal static ParseResult Parse(RootCommand root, IReadOnlyList<string> args) =>
        root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
}
