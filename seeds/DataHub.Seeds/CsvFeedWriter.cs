using System.Globalization;
using System.Text;
using DataHub.Core.Feeds;

namespace DataHub.Seeds;

/// <summary>How one partner writes its CSV files: encoding, date form, boolean spelling and header style all vary between
/// real partners, and the hub must accept every variant the contract allows.</summary>
/// <param name="Encoding">The text encoding.</param>
/// <param name="UkDates">dd/MM/yyyy instead of ISO yyyy-MM-dd.</param>
/// <param name="True">The spelling of true, e.g. "Y".</param>
/// <param name="False">The spelling of false, e.g. "N".</param>
/// <param name="TitleHeaders">"Date Of Birth" instead of "date_of_birth".</param>
public sealed record CsvStyle(CsvEncoding Encoding, bool UkDates, string True, string False, bool TitleHeaders)
{
    /// <summary>UTF-8 without BOM, ISO dates, Y/N, contract header names.</summary>
    public static CsvStyle Plain { get; } = new(CsvEncoding.Utf8, false, "Y", "N", false);
}

/// <summary>The encodings partners' CSV files come in.</summary>
public enum CsvEncoding
{
    /// <summary>UTF-8 without a byte order mark.</summary>
    Utf8,

    /// <summary>UTF-8 with a byte order mark (Excel's "CSV UTF-8").</summary>
    Utf8Bom,

    /// <summary>Windows-1252 (Excel's plain "CSV" on a UK Windows PC).</summary>
    Windows1252,
}

/// <summary>Writes generated rows as a feed's CSV file, streaming.</summary>
internal static class CsvFeedWriter
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Writes the header and rows; calls <paramref name="written"/> with each row and the line it starts on.</summary>
    public static void Write(Stream output, FeedContract contract, CsvStyle style, IEnumerable<GeneratedRow> rows, Action<GeneratedRow, long>? written)
    {
        var encoding = style.Encoding switch
        {
            CsvEncoding.Windows1252 => CodePagesEncodingProvider.Instance.GetEncoding(1252)!,
            _ => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        if (style.Encoding == CsvEncoding.Utf8Bom)
        {
            output.Write(Utf8Bom);
        }

        using var writer = new StreamWriter(output, encoding, 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(string.Join(",", contract.Fields.Select(f => style.TitleHeaders ? Title(f.Name) : f.Name)));
        var line = 2L;
        foreach (var row in rows)
        {
            var newlines = 0;
            for (var c = 0; c < row.Cells.Length; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                var text = Format(row.Cells[c], style);
                if (text.AsSpan().IndexOfAny(",\"\r\n") >= 0)
                {
                    newlines += text.Count(ch => ch == '\n');
                    writer.Write('"');
                    writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
                    writer.Write('"');
                }
                else
                {
                    writer.Write(text);
                }
            }

            writer.WriteLine();
            written?.Invoke(row, line);
            line += 1 + newlines;
        }
    }

    /// <summary>A cell as this partner writes it.</summary>
    public static string Format(object? cell, CsvStyle style) => cell switch
    {
        null => string.Empty,
        string s => s,
        DateOnly d => d.ToString(style.UkDates ? "dd/MM/yyyy" : "yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? style.True : style.False,
        int i => i.ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? string.Empty,
    };

    /// <summary>"date_of_birth" → "Date Of Birth".</summary>
    public static string Title(string name) =>
        string.Join(" ", name.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
}
