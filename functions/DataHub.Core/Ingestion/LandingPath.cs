using DataHub.Core.Protocols;

namespace DataHub.Core.Ingestion;

/// <summary>A checked landing path: landing/{partner}/{feed}/{file}, nothing else.</summary>
/// <param name="Partner">The partner folder.</param>
/// <param name="Feed">The feed folder.</param>
/// <param name="FileName">The file name as dropped.</param>
public sealed record LandingPath(string Partner, string Feed, string FileName)
{
    /// <summary>The landing container.</summary>
    public const string Container = "landing";

    /// <summary>The folder under landing where processed files are archived; the trigger ignores it.</summary>
    public const string ProcessedFolder = "_processed";

    /// <summary>
    /// The folder under landing that, on Azure, holds what is left in the shared landing container of a deployment made
    /// before each partner had a container of its own: any partner could write anywhere in it, so none of it is anyone's.
    /// </summary>
    public const string SharedFolder = "_shared";

    /// <summary>The rule for a file refused because it lies in <see cref="SharedFolder"/>.</summary>
    public const string SharedContainerRule = "path.shared_container";

    /// <summary>The rule for a landing entry that is a link (or lies under one), refused unread.</summary>
    public const string LinkRule = "path.link";

    /// <summary>The rule for a landing entry whose name is not valid UTF-8 (a Windows-1252 name from an SFTP client):
    /// .NET reads such a name with U+FFFD in place of each bad byte and cannot open, move or delete the file by it.</summary>
    public const string NameEncodingRule = "path.name_encoding";

    /// <summary>The rule for a landing entry nested deeper than the store can reach by its name (a local folder past the OS
    /// path limit): nothing in it can be listed, read, moved or deleted by the hub, so it stays in landing, reported.</summary>
    public const string TooDeepRule = "path.too_deep";

    /// <summary>What a refusal under <see cref="TooDeepRule"/> says: what the hub did, and what the partner and operator must do.</summary>
    public const string TooDeepMessage =
        "A folder in landing is nested so deep that its path is longer than the file system allows, so the hub cannot list, read, move or delete what is in it; nothing there was read. " +
        "It stays in landing: the partner must drop files at landing/{partner}/{feed}/{file} with no folders of their own, and an operator must remove the nested folder by hand (docs/runbook.md, \"A folder nested too deep for the hub\").";

    /// <summary>The rule for a landing entry the hub's user may not open (a folder or file whose permissions or owner deny
    /// it, as an SFTP upload can leave one): nothing in it can be read, moved or deleted by the hub, so it stays in landing,
    /// reported, and is ingested as usual once an operator fixes its permissions.</summary>
    public const string UnreadableRule = "path.unreadable";

    /// <summary>What a refusal under <see cref="UnreadableRule"/> says: what the hub did, and what the partner and operator must do.</summary>
    public const string UnreadableMessage =
        "A folder or file in landing cannot be opened by the hub's user (its permissions or owner deny it), so the hub cannot list, read, move or delete what is in it; nothing there was read. " +
        "It stays in landing: an operator must give the hub's user read access to it (and search access to a folder), after which it is ingested as usual, and ask the partner's upload to leave files readable (docs/runbook.md, \"A folder or file the hub cannot open\").";

    /// <summary>The rule for a path holding a colon or a control character: refused, but moved to quarantine with its report.</summary>
    public const string NameCharactersRule = "path.name_characters";

    /// <summary>The audit rule for a file left under an upload tool's temporary name (<see cref="IsUploadName"/>).</summary>
    public const string UploadIncompleteRule = "path.upload_incomplete";

    private static readonly string[] UploadSuffixes = [".filepart", ".part", ".partial", ".crdownload", ".download", ".tmp", ".temp"];

    /// <summary>What .NET reads in place of each byte of a name that is not valid UTF-8 (U+FFFD).</summary>
    public const char UnreadableNameCharacter = '\uFFFD';

    /// <summary>
    /// A name refused as <see cref="NameEncodingRule"/> that the store can find after all (it really holds U+FFFD, the
    /// character a name in another character set is read with): moved to quarantine with its report.
    /// </summary>
    public static LandingPathCheck ReplacementCharacterFound { get; } = LandingPathCheck.Refused(
        NameEncodingRule,
        "The file's name holds the replacement character (U+FFFD), what a name written in another character set such as Windows-1252 is read as, which the hub does not take; nothing was read. " +
        "It is quarantined: the partner must rename it using plain letters, digits, spaces, hyphens and dots, and send it again.",
        movable: true);

    /// <summary>The object path.</summary>
    public string Path => $"{Container}/{Partner}/{Feed}/{FileName}";

    /// <summary>
    /// Parses <paramref name="path"/>. Refuses (with a reason) anything that is not exactly four plain segments under
    /// landing, any "." or ".." segment, backslashes, control characters, and names that are not partner/feed names.
    /// </summary>
    public static LandingPathCheck Check(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return LandingPathCheck.Refused("path.empty", "No path was given.", movable: false);
        }

        // '.', '..' and a backslash (a separator to Windows, and to some Azure tools) could name another place than the
        // listing found: never read, moved or deleted.
        var segments = path.Split('/');
        if (segments.Any(s => s is "." or ".." || s.Contains('\\', StringComparison.Ordinal)))
        {
            return LandingPathCheck.Refused("path.traversal", "The path contains '.', '..' or a backslash; nothing was read.", movable: false);
        }

        if (segments.Any(s => s.Length == 0))
        {
            return LandingPathCheck.Refused("path.empty_segment", "The path has an empty segment; nothing was read.", movable: false);
        }

        if (!string.Equals(segments[0], Container, StringComparison.Ordinal))
        {
            return LandingPathCheck.Refused("path.not_landing", "Only files under landing/ are ingested; nothing was read.", movable: false);
        }

        // The hub's archive is ignored whatever its names: a name there is never refused, on every sweep, as a partner's.
        if (segments.Length > 1 && string.Equals(segments[1], ProcessedFolder, StringComparison.Ordinal))
        {
            return LandingPathCheck.Archive();
        }

        if (segments.Any(s => s.Contains(UnreadableNameCharacter, StringComparison.Ordinal)))
        {
            return LandingPathCheck.Refused(
                NameEncodingRule,
                "The file's name is not valid UTF-8 (it was written in another character set, such as Windows-1252, by the program that sent it), so the hub cannot open or move it; nothing was read. " +
                "It stays in landing: the partner must rename it using plain letters, digits, spaces, hyphens and dots, and send it again (docs/runbook.md, \"A file whose name the hub cannot take\").",
                movable: false);
        }

        // A colon or control character is only a character of one name where the hub's stores can hold it (files except
        // on Windows, blobs); the listing found the file by that name, so it is moved to quarantine rather than left to be refused again.
        if (segments.Any(s => s.Any(char.IsControl) || s.Contains(':', StringComparison.Ordinal)))
        {
            return LandingPathCheck.Refused(
                NameCharactersRule,
                "The path contains a colon or a control character, which the hub does not take in a file's or folder's name; nothing was read. It is quarantined: send it again under a name without them.",
                movable: true);
        }

        if (segments.Length > 1 && string.Equals(segments[1], SharedFolder, StringComparison.Ordinal))
        {
            return LandingPathCheck.Refused(
                SharedContainerRule,
                "The file was left in the shared landing container, which every partner could write to, so the folder it is in does not prove who sent it and it is not ingested as anyone's. " +
                "It is quarantined: check who uploaded it (docs/runbook.md, \"Files left in the shared landing container\") and put it in that partner's own landing container, or ask the partner to send it again.",
                movable: true);
        }

        if (segments.Length != 4)
        {
            return LandingPathCheck.Refused(
                "path.depth",
                $"A file must be dropped at landing/{{partner}}/{{feed}}/{{file}}; this path has {segments.Length - 1} levels under landing.",
                movable: true);
        }

        if (!ProtocolLoader.IsName(segments[1]) || !ProtocolLoader.IsName(segments[2]))
        {
            return LandingPathCheck.Refused("path.name", "Partner and feed folder names are lower-case letters, digits and hyphens.", movable: true);
        }

        if (segments[3].StartsWith('.'))
        {
            return LandingPathCheck.Refused("path.hidden", "Hidden files (names starting with '.') are not ingested.", movable: true);
        }

        // An upload tool's temporary name holds what it had written so far: never read as the delivery, whatever it holds.
        if (IsUploadName(segments[3]))
        {
            return LandingPathCheck.Refused(
                UploadIncompleteRule,
                "The file's name is one an upload tool gives a file while it writes it (such as .filepart or .part), and it was not renamed when done: the upload may not have finished, so nothing was read. " +
                "It is quarantined: ask the partner to send the file again under its real name.",
                movable: true);
        }

        return new LandingPathCheck(new LandingPath(segments[1], segments[2], segments[3]), null, null, false, false);
    }

    /// <summary>True for a file name an upload or office tool writes under before the file is complete: WinSCP's
    /// <c>.filepart</c>, <c>.part</c>, <c>.partial</c>, browsers' <c>.crdownload</c> and <c>.download</c>, <c>.tmp</c>,
    /// <c>.temp</c>, and Office's <c>~$</c> lock files.</summary>
    public static bool IsUploadName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return fileName.StartsWith("~$", StringComparison.Ordinal) || UploadSuffixes.Any(s => fileName.EndsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The folder and name of a landing entry <paramref name="check"/> (its <see cref="Check"/>) refused for its name's
    /// encoding alone (landing/{partner}/{feed}/{file} with well-formed folder names, which hold no U+FFFD), so it can be
    /// named by its folder and a label of its name; otherwise null.
    /// </summary>
    internal static LandingPath? WithUnreadableName(string path, LandingPathCheck check)
    {
        var segments = path.Split('/');
        return check.Rule == NameEncodingRule && segments.Length == 4 && ProtocolLoader.IsName(segments[1]) && ProtocolLoader.IsName(segments[2])
            ? new LandingPath(segments[1], segments[2], segments[3])
            : null;
    }

}

/// <summary>The result of checking a landing path.</summary>
/// <param name="Path">The parsed path, when valid.</param>
/// <param name="Rule">Why it was refused.</param>
/// <param name="Message">A sentence saying so.</param>
/// <param name="Movable">True when the object is safely inside landing and can be moved to quarantine.</param>
/// <param name="IsArchive">True for the hub's own archive of processed files (ignored, not refused).</param>
public sealed record LandingPathCheck(LandingPath? Path, string? Rule, string? Message, bool Movable, bool IsArchive)
{
    internal static LandingPathCheck Refused(string rule, string message, bool movable) => new(null, rule, message, movable, false);

    internal static LandingPathCheck Archive() => new(null, null, null, false, true);
}
