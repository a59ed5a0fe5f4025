using Spectre.Console;

namespace DataHub.Host.Commands;

/// <summary>Writes command output: Spectre.Console tables on an interactive terminal, plain aligned text when redirected.</summary>
public sealed class Terminal
{
    private readonly TextWriter _out;
    private readonly IAnsiConsole? _console;

    /// <summary>Writes to <paramref name="output"/>; rich output only when it is the real, unredirected console.</summary>
    public Terminal(TextWriter output)
    {
        _out = output;
        var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        _console = interactive ? AnsiConsole.Console : null;
    }

    /// <summary>True when writing to an interactive terminal.</summary>
    public bool IsRich => _console is not null;

    /// <summary>Writes a line of text.</summary>
    public void Line(string text = "")
    {
        if (_console is not null)
        {
            _console.WriteLine(text);
        }
        else
        {
            _out.WriteLine(text);
        }
    }

    /// <summary>Writes a heading.</summary>
    public void Heading(string text)
    {
        if (_console is not null)
        {
            _console.Write(new Rule($"[bold]{Markup.Escape(text)}[/]") { Justification = Justify.Left });
        }
        else
        {
            _out.WriteLine($"== {text}");
        }
    }

    /// <summary>Writes a table; numeric-looking cells are right-aligned in plain output.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var data = rows.ToList();
        if (_console is not null)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var h in headers)
            {
                table.AddColumn(new TableColumn(Markup.Escape(h)));
            }

            foreach (var r in data)
            {
                table.AddRow([.. r.Select(Markup.Escape)]);
            }

            _console.Write(table);
            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, data.Count == 0 ? 0 : data.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        _out.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in data)
        {
            _out.WriteLine(string.Join("  ", r.Select((c, i) => IsNumber(c) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar on a terminal, or plainly otherwise.</summary>
    public async Task<T> ProgressAsync<T>(string label, int total, Func<Action<string>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_console is null)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }

        T result = default!;
        await _console.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(total, 1));
            result = await work(item =>
            {
                task.Description = Markup.Escape(item);
                task.Increment(1);
            }).ConfigureAwait(false);
            task.Value = task.MaxValue;
        }).ConfigureAwait(false);
        return result;
    }

    private static bool IsNumber(string cell) => cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] == '-') && cell.All(c => char.IsDigit(c) || c is '.' or '%' or ',' or '-');
}
