using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DataHub.Host.Commands;

namespace DataHub.Host;

/// <summary>
/// Reports a command line the parser could not take, naming each argument it quotes by its place on the line: the parser's
/// own report quotes the tokens it could not place, and one may be a partner's file name (`datahub ingest drop/*.csv`
/// hands over every file in the folder), which the hub never repeats.
/// </summary>
internal static class UsageErrors
{
    /// <summary>Writes the parse errors with the arguments withheld, then the command's help; returns the usage exit code.</summary>
    public static async Task<int> ReportAsync(RootCommand root, ParseResult parsed, IReadOnlyList<string> args, InvocationConfiguration invocation, TextWriter error)
    {
        var names = SymbolNames(root);
        foreach (var parseError in parsed.Errors)
        {
            await error.WriteLineAsync(Withhold(parseError.Message, args, names)).ConfigureAwait(false);
        }

        // The help of the command the line reached, as the parser's own report ends; it quotes nothing that was typed.
        var path = new List<string>();
        for (var command = parsed.CommandResult; command.Command != root; command = (CommandResult)command.Parent!)
        {
            path.Insert(0, command.Command.Name);
        }

        await error.WriteLineAsync().ConfigureAwait(false);
        await root.Parse([.. path, "--help"]).InvokeAsync(invocation).ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    /// <summary>
    /// <paramref name="message"/> with each quoted argument that is not one of the command line's own words (a command or
    /// option name) replaced by its place on the line ("[argument 3]"); a message still holding such an argument after that
    /// says only which arguments it could not take.
    /// </summary>
    public static string Withhold(string message, IReadOnlyList<string> args, IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(names);
        var typed = args.Select((arg, i) => (Arg: arg, Place: i + 1)).Where(a => a.Arg.Length > 0 && !names.Contains(a.Arg)).OrderByDescending(a => a.Arg.Length).ToList();
        foreach (var (arg, place) in typed)
        {
            message = message.Replace($"'{arg}'", string.Create(CultureInfo.InvariantCulture, $"[argument {place}]"), StringComparison.Ordinal);
        }

        // Words of three letters or more only: a shorter argument ("1", "-n") is found inside any sentence; and not inside
        // a quoted command or option name ("root" in '--root').
        var rest = names.Aggregate(message, (text, name) => text.Replace($"'{name}'", string.Empty, StringComparison.Ordinal));
        return typed.Any(a => a.Arg.Length >= 3 && rest.Contains(a.Arg, StringComparison.Ordinal))
            ? "The command line has an argument that could not be taken (not shown: it may be a file's name); see the usage below."
            : message;
    }

    private static HashSet<string> SymbolNames(Command command)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Add(command);
        return names;

        void Add(Command c)
        {
            names.Add(c.Name);
            names.UnionWith(c.Aliases);
            foreach (var option in c.Options)
            {
                names.Add(option.Name);
                names.UnionWith(option.Aliases);
            }

            foreach (var sub in c.Subcommands)
            {
                Add(sub);
            }
        }
    }
}
