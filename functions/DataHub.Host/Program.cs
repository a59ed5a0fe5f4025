using System.CommandLine;

namespace DataHub.Host;

/// <summary>The `datahub` command line: each command group lives in Commands/ and is added here.</summary>
public static class Program
{
    /// <summary>Parses the arguments and runs the chosen command; the exit codes are listed in README.md.</summary>
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("DataHub: a data-sharing hub for partner extracts, pseudonymised marts and disclosure-safe KPIs.");
        root.Subcommands.Add(Commands.PublishCommand.Create());
        return await root.Parse(args).InvokeAsync();
    }
}
