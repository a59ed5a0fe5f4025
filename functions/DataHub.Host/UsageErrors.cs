using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using DataHub.Host.Commands;

namespace DataHub.Host;

/// <summary>
/// Reports a command line the parser could not take, naming each argument it quotes by its place on the line: the parser's
/// own report quotes the tokens it could not place, and one may be a partner's file name (`datahub ingest drop/*.csv`
/// hands over every file in the folder), which the hub never repeats.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>Writes the parse errors with the arguments withheld, then the command's help; returns the usage exit code.</summary>
    public static async Task<int> ReportAsync(RootCommand root, ParseResult parsed, IReadOnlyList<string> args, InvocationConfiguration invocation, TextWriter error)
    {
        // The parser's own tokens as well as the line: it splits "--rows=VALUE", "-n:VALUE" and "-nVALUE", and quotes the value alone.
        var messages = Withhold([.. parsed.Errors.Select(e => e.Message)], args, parsed.Tokens.Select(t => t.Value), SymbolNames(root));
        foreach (var message in messages)
        {
            await error.WriteLineAsync(message).ConfigureAwait(false);
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

    /// <summary><paramref name="message"/> with every argument it holds withheld (see the overload for a parse's messages).</summary>
    public static string Withhold(string message, IReadOnlyList<string> args, IReadOnlySet<string> names) => Withhold([message], args, [], names)[0];

    /// <summary>
    /// <paramref name="messages"/> with everything typed that they hold, quoted or not, replaced by its place on the line
    /// ("[argument 3]"), unless it is one of the command line's own words (a command or option name): a whole argument, a
    /// piece of one the parser split off (<paramref name="tokens"/>), or any quoted text found in an argument. The rest of
    /// each message is kept.
    /// </summary>
    public static IReadOnlyList<string> Withhold(IReadOnlyList<string> messages, IReadOnlyList<string> args, IEnumerable<string> tokens, IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(names);
        var typed = args.Select((arg, i) => (Text: arg, Place: i + 1)).Where(a => a.Text.Length > 0 && !names.Contains(a.Text)).ToList();
        var pieces = tokens.Where(t => t.Length > 0 && !names.Contains(t) && typed.All(a => a.Text != t)).Distinct(StringComparer.Ordinal).ToList();

        // A token typed more than once ("a.csv a.csv") is quoted for the copies the parser could not take, which are the
        // last ones: the first was taken as the argument.
        var places = typed.GroupBy(a => a.Text, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g =>
            {
                var quoted = messages.Sum(m => Occurrences(m, $"'{g.Key}'"));
                return new Queue<int>(g.Select(a => a.Place).Skip(Math.Max(0, g.Count() - Math.Max(1, quoted))));
            },
            StringComparer.Ordinal);
        var candidates = places.Keys.Concat(pieces).OrderByDescending(c => c.Length).ToList();
        return [.. messages.Select(m => WithholdOne(m, candidates, places, typed, names))];
    }

    private static string WithholdOne(string message, List<string> candidates, Dictionary<string, Queue<int>> places, List<(string Text, int Place)> typed, IReadOnlySet<string> names)
    {
        // Withheld text is set aside as numbered placeholders, so nothing later finds text inside it.
        var setAside = new List<string>();
        string SetAside(string text)
        {
            setAside.Add(text);
            return string.Create(CultureInfo.InvariantCulture, $"{Open}{setAside.Count - 1}{Close}");
        }

        string Marker(string value) => SetAside(string.Create(CultureInfo.InvariantCulture, $"[argument {PlaceOf(value)}]"));
        int PlaceOf(string value) => places.TryGetValue(value, out var queue) && queue.Count > 0
            ? (queue.Count > 1 ? queue.Dequeue() : queue.Peek())
            : typed.FirstOrDefault(a => a.Text.Contains(value, StringComparison.Ordinal)).Place;

        // What the parser quotes: each argument or piece of one, as it is (one holding an apostrophe, too).
        foreach (var candidate in candidates)
        {
            message = ReplaceEach(message, $"'{candidate}'", () => Marker(candidate));
        }

        // Any other quoted text found in an argument (a piece the parser cut otherwise); what is in none (a type name) stays.
        message = QuotedText().Replace(message, m =>
        {
            var text = m.Groups[1].Value;
            return text.Length == 0 || names.Contains(text) || !typed.Any(a => a.Text.Contains(text, StringComparison.Ordinal)) ? m.Value : Marker(text);
        });

        // Unquoted, as a validator's own message could hold it: any argument or piece of three characters or more (a shorter
        // one, "1", is found inside any sentence), longest first, except where it lies within a name written as a whole word
        // (so "root" typed for --root is not found in "--root", while "Zqxwy report", which holds the name "report", is).
        foreach (var candidate in candidates.Where(c => c.Length >= 3 && c.AsSpan().IndexOfAny(Open, Close) < 0))
        {
            message = ReplaceEach(message, candidate, () => Marker(candidate), (text, at) => WithinName(text, at, candidate.Length, names));
        }

        return Placeholder().Replace(message, m => setAside[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]);
    }

    private const char Open = '\uE000', Close = '\uE001';

    // Each occurrence of value replaced by a fresh replacement (a place is taken per occurrence), but one at a place skip holds.
    private static string ReplaceEach(string message, string value, Func<string> replacement, Func<string, int, bool>? skip = null)
    {
        var result = new System.Text.StringBuilder();
        var from = 0;
        for (var at = message.IndexOf(value, StringComparison.Ordinal); at >= 0; at = message.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            if (at < from || (skip is not null && skip(message, at)))
            {
                continue;
            }

            result.Append(message, from, at - from).Append(replacement());
            from = at + value.Length;
        }

        return result.Append(message, from, message.Length - from).ToString();
    }

    // Whether message[at..at+length] lies within a name written as a whole word: no letter, digit or hyphen directly before or after it.
    private static bool WithinName(string message, int at, int length, IReadOnlySet<string> names) =>
        names.Any(name =>
        {
            for (var start = message.IndexOf(name, Math.Max(0, at + length - name.Length), StringComparison.Ordinal);
                 start >= 0 && start <= at;
                 start = message.IndexOf(name, start + 1, StringComparison.Ordinal))
            {
                if (name.Length > length && !IsWordChar(message, start - 1) && !IsWordChar(message, start + name.Length))
                {
                    return true;
                }
            }

            return false;
        });

    private static bool IsWordChar(string text, int i) => i >= 0 && i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '-');

    private static int Occurrences(string message, string value)
    {
        var count = 0;
        for (var at = message.IndexOf(value, StringComparison.Ordinal); at >= 0; at = message.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [GeneratedRegex("'([^'\\r\\n]*)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedText();

    [GeneratedRegex("\uE000([0-9]+)\uE001", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

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
