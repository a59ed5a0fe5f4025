using System.Text.RegularExpressions;

namespace DataHub.Storage.Azure;

/// <summary>
/// Where the hub's landing paths live on Azure: a partner's deliveries in a container of its own, so the partner of
/// landing/{partner}/{feed}/{file} is read from the container the blob is in, never from a folder the uploader chose.
/// </summary>
/// <remarks>
/// <para>landing/{partner}/{rest} is the blob {rest} of the container landing-{partner}, the only container that partner's
/// SFTP local user can write to (infra/main.bicep). A folder named after another partner inside it is just a deeper path
/// (landing/{partner}/{other}/{feed}/{file}), which ingest refuses as misplaced and quarantines.</para>
/// <para>The container landing, on which no partner has any permission, keeps the raw archive (landing/_processed/…, as
/// before). Any other blob in it is a file left in the shared landing container of a deployment made before partner
/// containers: it reads as landing/_shared/{name}, which ingest refuses (its sender is not proven) and quarantines.</para>
/// </remarks>
public static partial class LandingContainers
{
    /// <summary>The logical container of every landing path.</summary>
    public const string Landing = "landing";

    /// <summary>The name every partner landing container starts with.</summary>
    public const string PartnerPrefix = Landing + "-";

    /// <summary>The archive folder, kept in the container <see cref="Landing"/> (Core's LandingPath.ProcessedFolder).</summary>
    public const string ArchiveFolder = "_processed";

    /// <summary>The folder the shared landing container's other blobs read as (Core's LandingPath.SharedFolder).</summary>
    public const string SharedFolder = "_shared";

    /// <summary>The longest partner name whose container name stays within the 63 characters Azure allows.</summary>
    public const int MaxPartnerLength = 63 - 8;

    /// <summary>The container of <paramref name="partner"/>'s deliveries.</summary>
    /// <exception cref="ArgumentException">The partner name cannot be part of a container name; the message says why.</exception>
    public static string For(string partner)
    {
        ArgumentNullException.ThrowIfNull(partner);
        return IsPartnerName(partner)
            ? PartnerPrefix + partner
            : throw new ArgumentException(
                $"The partner name '{partner}' cannot name its Azure landing container '{PartnerPrefix}{partner}': a container name is lower-case letters and digits, " +
                $"joined by single hyphens, with no hyphen at either end, and a partner name at most {MaxPartnerLength} characters long. " +
                "Rename the partner in its protocol file and in infra/main.bicep's partners parameter; the hub does not rewrite it, so two partners can never share a container.",
                nameof(partner));
    }

    /// <summary>True when <paramref name="partner"/> can be the rest of a container name after <see cref="PartnerPrefix"/>.</summary>
    public static bool IsPartnerName(string partner) =>
        partner is not null && partner.Length <= MaxPartnerLength && PartnerName().IsMatch(partner);

    /// <summary>The partner whose landing container <paramref name="container"/> is, or null when it is no partner's landing container.</summary>
    public static string? PartnerOf(string container) =>
        container is not null && container.StartsWith(PartnerPrefix, StringComparison.Ordinal) && IsPartnerName(container[PartnerPrefix.Length..])
            ? container[PartnerPrefix.Length..]
            : null;

    /// <summary>True when <paramref name="container"/> holds landing paths: the archive container or a partner's.</summary>
    public static bool IsLanding(string container) =>
        string.Equals(container, Landing, StringComparison.Ordinal) || PartnerOf(container) is not null;

    /// <summary>The hub path of blob <paramref name="name"/> in <paramref name="container"/>.</summary>
    public static string PathOf(string container, string name)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(name);
        if (PartnerOf(container) is { } partner)
        {
            return $"{Landing}/{partner}/{name}";
        }

        if (string.Equals(container, Landing, StringComparison.Ordinal))
        {
            return name.StartsWith(ArchiveFolder + "/", StringComparison.Ordinal) ? $"{Landing}/{name}" : $"{Landing}/{SharedFolder}/{name}";
        }

        return $"{container}/{name}";
    }

    /// <summary>The container and blob name of the hub path <paramref name="path"/> ("{container}/{name}").</summary>
    /// <exception cref="ArgumentException">The path names no blob: no name after the container, or a landing path with no container of its own.</exception>
    public static (string Container, string Name) Locate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (container, name) = Split(path);
        if (!string.Equals(container, Landing, StringComparison.Ordinal))
        {
            return (container, name);
        }

        var (folder, rest) = Split(name);
        return folder switch
        {
            ArchiveFolder => (Landing, name),
            SharedFolder when !rest.StartsWith(ArchiveFolder + "/", StringComparison.Ordinal) => (Landing, rest),
            SharedFolder => throw new ArgumentException("A path under landing/_shared/_processed/ would name the archive, not the shared landing container.", nameof(path)),
            _ when IsPartnerName(folder) => (PartnerPrefix + folder, rest),
            _ => throw new ArgumentException("The landing path's partner folder cannot name a partner landing container (the path is not repeated here).", nameof(path)),
        };
    }

    private static (string Head, string Tail) Split(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == text.Length - 1
            ? throw new ArgumentException("The path is not a '{container}/{name}' path, and a landing path is 'landing/{partner}/{name}' (the path is not repeated here).", nameof(text))
            : (text[..slash], text[(slash + 1)..]);
    }

    // Azure container names: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, no
    // two hyphens together. After "landing-", a partner name must keep all of that.
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex PartnerName();
}
