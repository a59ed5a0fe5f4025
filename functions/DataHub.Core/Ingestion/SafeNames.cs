using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;
using DataHub.Core.Feeds;
using DataHub.Core.Protocols;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Safe forms of what a partner names: file names and header cells outside the contract. Either can carry a person's
/// name, date of birth or NHS number, and the audit is hash-chained (nothing written there can be taken back), so audit
/// events, reports, receipts, logs, the console and every path the hub derives use these forms, never the raw text.
/// A file is still traceable: its content SHA-256 is recorded, and its label (<see cref="FileLabels"/>, keyed with the
/// hub's secret) can be recomputed from a name one holds with `datahub label`.
/// </summary>
public static partial class SafeNames
{
    /// <summary>
    /// The extensions a label keeps. Only file types: what follows a name's last full stop is as often part of a name or a
    /// date of birth ("J.Smith", "DOB 02.03.1981") as a type, and the label repeats it everywhere the file is named.
    /// </summary>
    public static FrozenSet<string> FileTypes { get; } =
        new[] { ".csv", ".tsv", ".txt", ".dat", ".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".zip", ".gz", ".json", ".xml" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// True when the path's folder names may be repeated: the partner has an agreement and the feed a contract. Any other
    /// folder name is the sender's free text (a partner can create folders anywhere in landing), as identifying as a file name.
    /// </summary>
    public static bool IsPlaced(LandingPath path, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(path);
        return protocols?.Find(path.Partner) is not null && FeedCatalog.Find(path.Feed) is not null;
    }

    /// <summary>
    /// Header cells the agreement does not allow, safely: a contract field by its contract name; any other header by its
    /// position and length only (its text may be anything, a name or a date of birth).
    /// </summary>
    public static IReadOnlyList<string> Columns(FeedContract contract, IReadOnlyList<string> headers, IEnumerable<string> outside)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(outside);
        var described = new List<string>();
        foreach (var header in outside)
        {
            var position = headers.ToList().IndexOf(header) + 1;
            described.Add(HeaderMatcher.Match(contract, header) is { } field
                ? field.Name
                : string.Create(CultureInfo.InvariantCulture, $"column {position} (a header of {header.Length} characters, not shown)"));
        }

        return described;
    }

    /// <summary>True when <paramref name="name"/> has the shape of an archived label (see <see cref="FileLabels.StoredPath"/>).</summary>
    internal static bool IsArchivedLabel(string name) => ArchivedLabel().IsMatch(name);

    // A label as the archive holds it: the landed file's, or a duplicate delivery's with its time appended (IngestExtract).
    [GeneratedRegex(@"^file-[0-9a-f]{8}(\.[a-z0-9]{1,5})?(\.duplicate-[0-9]{8}T[0-9]{9})?$")]
    private static partial Regex ArchivedLabel();
}
