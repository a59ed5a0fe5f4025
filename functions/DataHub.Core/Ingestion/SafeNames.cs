using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DataHub.Core.Feeds;
using DataHub.Core.Protocols;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Safe forms of what a partner names: file names and header cells outside the contract. Either can carry a person's
/// name, date of birth or NHS number, and the audit is hash-chained (nothing written there can be taken back), so audit
/// events, reports, receipts, logs, the console and every path the hub derives use these forms, never the raw text.
/// A file is still traceable: its content SHA-256 is recorded, and its label can be recomputed from a name one holds.
/// </summary>
public static partial class SafeNames
{
    /// <summary>
    /// A file name's label: "file-" and the first 8 hex characters of its name's SHA-256, then its extension when that is a
    /// file type (<see cref="FileTypes"/>), lower-cased; e.g. "file-3fa2c1d9.csv". Short and fixed, so a derived path never
    /// outgrows the file system whatever the name's length.
    /// </summary>
    public static string FileLabel(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        return "file-" + Hash(fileName) + (FileTypes.Contains(extension) ? extension : string.Empty);
    }

    /// <summary>
    /// The extensions a label keeps. Only file types: what follows a name's last full stop is as often part of a name or a
    /// date of birth ("J.Smith", "DOB 02.03.1981") as a type, and the label repeats it everywhere the file is named.
    /// docs/runbook.md's queries work labels out with the same list.
    /// </summary>
    public static FrozenSet<string> FileTypes { get; } =
        new[] { ".csv", ".tsv", ".txt", ".dat", ".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".zip", ".gz", ".json", ".xml" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// A landing path's safe form: "landing/{partner}/{feed}/{label}" when it is well formed and placed (see
    /// <see cref="IsPlaced"/>), otherwise "landing/~{label of everything after landing/}".
    /// </summary>
    /// <param name="path">The landing path as found.</param>
    /// <param name="protocols">The agreements that vouch for partner folder names; with none, no folder name is repeated.</param>
    public static string LandingPath(string path, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Ingestion.LandingPath.Check(path).Path is { } parsed && IsPlaced(parsed, protocols))
        {
            return LandingPath(parsed);
        }

        var rest = path.StartsWith(Ingestion.LandingPath.Container + "/", StringComparison.Ordinal) ? path[(Ingestion.LandingPath.Container.Length + 1)..] : path;
        return $"{Ingestion.LandingPath.Container}/~{FileLabel(rest)}";
    }

    /// <summary>The safe form of a placed path: its partner and feed folders as they are, its file by its label.</summary>
    public static string LandingPath(LandingPath placed)
    {
        ArgumentNullException.ThrowIfNull(placed);
        return $"{Ingestion.LandingPath.Container}/{placed.Partner}/{placed.Feed}/{FileLabel(placed.FileName)}";
    }

    /// <summary>
    /// A stored object's safe form, for what retention and clean-up record of it: a landing path as
    /// <see cref="LandingPath(string, ProtocolSet?)"/>; an entry of the raw archive as it is when it has the shape the hub
    /// writes (landing/_processed/{partner}/{feed}/{partner}-{16 hex}/{label}, see <see cref="FileLabel"/>), otherwise
    /// "landing/_processed/~{label of everything after _processed/}", since partners can write anywhere in landing; any
    /// other container's path as it is (only the hub writes there, always from safe names).
    /// </summary>
    public static string StoredPath(string path, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(path);
        var archive = $"{Ingestion.LandingPath.Container}/{Ingestion.LandingPath.ProcessedFolder}/";
        if (!path.StartsWith(archive, StringComparison.Ordinal))
        {
            return path.StartsWith(Ingestion.LandingPath.Container + "/", StringComparison.Ordinal) ? LandingPath(path, protocols) : path;
        }

        var parts = path[archive.Length..].Split('/');
        return parts is [var partner, var feed, var batch, var name]
            && protocols?.Find(partner) is not null
            && FeedCatalog.Find(feed) is not null
            && batch.Length == partner.Length + 17 && batch.StartsWith(partner + "-", StringComparison.Ordinal) && batch[(partner.Length + 1)..].All(char.IsAsciiHexDigitLower)
            && ArchivedLabel().IsMatch(name)
            ? path
            : $"{archive}~{FileLabel(path[archive.Length..])}";
    }

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

    /// <summary>Replaces the raw file name wherever it occurs in <paramref name="text"/> (an exception's message) with its label.</summary>
    public static string Scrub(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return fileName.Length == 0 ? text : text.Replace(fileName, FileLabel(fileName), StringComparison.Ordinal);
    }

    /// <summary>
    /// An exception as "{type}: {message}" with the landing path it may quote (storage messages do) in its safe form and
    /// the file name as its label, for receipts, the audit and what the Functions host logs.
    /// </summary>
    public static string Describe(Exception exception, string landingPath, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(landingPath);
        var text = $"{exception.GetType().Name}: {exception.Message}";
        if (landingPath.Length > 0)
        {
            text = text.Replace(landingPath, LandingPath(landingPath, protocols), StringComparison.Ordinal);
        }

        return Scrub(text, landingPath[(landingPath.LastIndexOf('/') + 1)..]);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];

    // A label as the archive holds it: the landed file's, or a duplicate delivery's with its time appended (IngestExtract).
    [GeneratedRegex(@"^file-[0-9a-f]{8}(\.[a-z0-9]{1,5})?(\.duplicate-[0-9]{8}T[0-9]{9})?$")]
    private static partial Regex ArchivedLabel();
}
