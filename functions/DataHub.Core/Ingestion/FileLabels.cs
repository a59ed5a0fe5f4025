using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Makes the labels a partner's file names are recorded by, keyed with the hub's secret: "file-" and the first 8 hex
/// characters of HMAC-SHA256 under a label key, then the name's extension when that is a file type
/// (<see cref="SafeNames.FileTypes"/>); e.g. "file-3fa2c1d9.csv". The audit, receipts, reports, logs, the console and every
/// path the hub derives name a file by its label, never its name.
/// </summary>
/// <remarks>
/// Keyed because 32 bits of an unkeyed hash of a name can be worked back from a list of candidates (every NHS number, a
/// list of names): only the hub, holding the key, can compute a label, and `datahub label` does so for operators under
/// each key version. The label key is HMAC(key material, "datahub file label v1"): a label's MAC is never a linkage
/// token's, whatever the name. Labels are made under the key that is current when a file is handled, so one delivery's
/// events, archive and quarantine paths all carry the same label; after a key rotation an operator tries each version.
/// </remarks>
public sealed class FileLabels
{
    /// <summary>The label of every name when there is no key (then followed by the name's file type, as any label): nothing of the name.</summary>
    public const string WithheldLabel = "file-withheld";

    private static readonly byte[] LabelDomain = Encoding.UTF8.GetBytes("datahub file label v1");

    private readonly byte[]? _labelKey;

    /// <summary>Labels under <paramref name="key"/>.</summary>
    public FileLabels(PseudonymisationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _labelKey = HMACSHA256.HashData(key.Material, LabelDomain);
        KeyVersion = key.Version;
    }

    private FileLabels()
    {
        KeyVersion = null;
    }

    /// <summary>
    /// Labels for when there is no key (a failure recorded before any file is moved; `datahub validate`, which runs where
    /// the hub's key is not): every name is <see cref="WithheldLabel"/> and its file type. Never used to name an object the hub writes.
    /// </summary>
    public static FileLabels Withheld { get; } = new();

    /// <summary>The key version the labels are made under; null for <see cref="Withheld"/>.</summary>
    public string? KeyVersion { get; }

    /// <summary>Labels under the key current in <paramref name="keys"/>.</summary>
    /// <exception cref="KeyUnavailableException">The key cannot be had.</exception>
    public static async Task<FileLabels> CurrentAsync(IKeyProvider keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new FileLabels(await keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Labels under the current key, or <see cref="Withheld"/> when it cannot be had (for recording a failure, never for naming an object).</summary>
    public static async Task<FileLabels> CurrentOrWithheldAsync(IKeyProvider keys, CancellationToken cancellationToken)
    {
        try
        {
            return await CurrentAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyUnavailableException)
        {
            return Withheld;
        }
    }

    /// <summary>A file name's label, e.g. "file-3fa2c1d9.csv": short and fixed, so a derived path never outgrows the file system.</summary>
    public string Label(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var type = SafeNames.FileTypes.Contains(extension) ? extension : string.Empty;
        return _labelKey is null
            ? WithheldLabel + type
            : "file-" + Convert.ToHexStringLower(HMACSHA256.HashData(_labelKey, Encoding.UTF8.GetBytes(fileName)).AsSpan(0, 4)) + type;
    }

    /// <summary>
    /// A landing path's safe form: "landing/{partner}/{feed}/{label}" when it is well formed and placed (see
    /// <see cref="SafeNames.IsPlaced"/>), otherwise "landing/~{label of everything after landing/}".
    /// </summary>
    /// <param name="path">The landing path as found.</param>
    /// <param name="protocols">The agreements that vouch for partner folder names; with none, no folder name is repeated.</param>
    public string LandingPath(string path, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Placed(path, protocols) is { } placed
            ? LandingPath(placed)
            : $"{Ingestion.LandingPath.Container}/~{Label(AfterContainer(path))}";
    }

    /// <summary>
    /// The label <see cref="LandingPath(string, ProtocolSet?)"/> ends with: a placed file's name's, otherwise that of
    /// everything after "landing/" (what an operator gives `datahub label` as partner/feed/name). A file refused or kept
    /// in quarantine/_refused or _unrouted is named there by this same label, so one file has one label in every record.
    /// </summary>
    public string PathLabel(string path, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Label(Placed(path, protocols) is { } placed ? placed.FileName : AfterContainer(path));
    }

    /// <summary>The safe form of a placed path: its partner and feed folders as they are, its file by its label.</summary>
    public string LandingPath(LandingPath placed)
    {
        ArgumentNullException.ThrowIfNull(placed);
        return $"{Ingestion.LandingPath.Container}/{placed.Partner}/{placed.Feed}/{Label(placed.FileName)}";
    }

    /// <summary>
    /// A stored object's safe form, for what retention and clean-up record of it: a landing path as
    /// <see cref="LandingPath(string, ProtocolSet?)"/>; an entry of the raw archive as it is when it has the shape the hub
    /// writes (landing/_processed/{partner}/{feed}/{partner}-{16 hex}/{label}), otherwise
    /// "landing/_processed/~{label of everything after _processed/}", since partners can write anywhere in landing; any
    /// other container's path as it is (only the hub writes there, always from safe names). An archive entry's partner
    /// folder is vouched for by an agreement naming the partner, or by <paramref name="archived"/> holding the path (the
    /// hub archived a file there, so the audit already holds it as it is), for a partner whose protocol was removed since.
    /// </summary>
    public string StoredPath(string path, ProtocolSet? protocols, IReadOnlySet<string>? archived = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var archive = $"{Ingestion.LandingPath.Container}/{Ingestion.LandingPath.ProcessedFolder}/";
        if (!path.StartsWith(archive, StringComparison.Ordinal))
        {
            return path.StartsWith(Ingestion.LandingPath.Container + "/", StringComparison.Ordinal) ? LandingPath(path, protocols) : path;
        }

        var parts = path[archive.Length..].Split('/');
        return parts is [var partner, var feed, var batch, var name]
            && (protocols?.Find(partner) is not null || archived?.Contains(path) == true)
            && FeedCatalog.Find(feed) is not null
            && batch.Length == partner.Length + 17 && batch.StartsWith(partner + "-", StringComparison.Ordinal) && batch[(partner.Length + 1)..].All(char.IsAsciiHexDigitLower)
            && SafeNames.IsArchivedLabel(name)
            ? path
            : $"{archive}~{Label(path[archive.Length..])}";
    }

    /// <summary>
    /// Any path under the hub's root, for a warning about it: a landing path (its archive's too) as
    /// <see cref="StoredPath"/>; any other as "{its first folder}/~{label of the rest}", since a path the hub warns of
    /// (one it cannot reach) may be a chain a partner made, or a folder named after one of theirs.
    /// </summary>
    public string ObjectPath(string path, ProtocolSet? protocols)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return path.StartsWith(Ingestion.LandingPath.Container + "/", StringComparison.Ordinal) ? StoredPath(path, protocols)
            : slash < 0 ? $"~{Label(path)}"
            : $"{path[..slash]}/~{Label(path[(slash + 1)..])}";
    }

    /// <summary>Replaces the raw file name wherever it occurs in <paramref name="text"/> (an exception's message) with its label.</summary>
    public string Scrub(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return fileName.Length == 0 ? text : text.Replace(fileName, Label(fileName), StringComparison.Ordinal);
    }

    /// <summary>
    /// An exception as "{type}: {message}" with the landing path it may quote (storage messages do) in its safe form and
    /// the file name as its label, for receipts, the audit and what the Functions host logs.
    /// </summary>
    public string Describe(Exception exception, string landingPath, ProtocolSet? protocols)
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

    // The path parsed, when it is well formed and placed: only then may its folder names be repeated.
    private static LandingPath? Placed(string path, ProtocolSet? protocols)
    {
        var check = Ingestion.LandingPath.Check(path);
        return (check.Path ?? Ingestion.LandingPath.WithUnreadableName(path, check)) is { } parsed && SafeNames.IsPlaced(parsed, protocols) ? parsed : null;
    }

    // Everything after "landing/" (the whole path when it is not a landing path): what an unplaced path is labelled by.
    private static string AfterContainer(string path) =>
        path.StartsWith(Ingestion.LandingPath.Container + "/", StringComparison.Ordinal) ? path[(Ingestion.LandingPath.Container.Length + 1)..] : path;

    /// <summary>Names the key version only, never the label key.</summary>
    public override string ToString() => KeyVersion is null ? "file labels (withheld)" : $"file labels under key version {KeyVersion}";
}
