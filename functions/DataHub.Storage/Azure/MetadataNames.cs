using System.Globalization;
using System.Text;

namespace DataHub.Storage.Azure;

/// <summary>Maps the hub's metadata keys (e.g. "datahub.batch_id") to Azure's identifier-only metadata names and back.</summary>
internal static class MetadataNames
{
    /// <summary>The hub's metadata as the blob's (names encoded).</summary>
    public static Dictionary<string, string> ToBlob(IReadOnlyDictionary<string, string> metadata) =>
        metadata.ToDictionary(m => Encode(m.Key), m => Uri.EscapeDataString(m.Value), StringComparer.Ordinal);

    /// <summary>The blob's metadata as the hub's (the service's own markers, such as a folder's, are not the hub's but pass through decoded).</summary>
    public static IReadOnlyDictionary<string, string> FromBlob(IDictionary<string, string>? metadata) =>
        metadata is null ? new Dictionary<string, string>() : metadata.ToDictionary(m => Decode(m.Key), m => Uri.UnescapeDataString(m.Value), StringComparer.Ordinal);

    // Letters and digits pass through; '_' → "__", '.' → "_d", '-' → "_h", anything else → "_u" + 4 hex digits; a leading digit gets "_n".
    public static string Encode(string key)
    {
        var text = new StringBuilder(key.Length + 4);
        if (key.Length > 0 && char.IsAsciiDigit(key[0]))
        {
            text.Append("_n");
        }

        foreach (var c in key)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                text.Append(c);
            }
            else
            {
                text.Append(c switch
                {
                    '_' => "__",
                    '.' => "_d",
                    '-' => "_h",
                    _ => "_u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                });
            }
        }

        return text.ToString();
    }

    public static string Decode(string name)
    {
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '_' || i + 1 >= name.Length)
            {
                text.Append(name[i]);
                continue;
            }

            var tag = name[++i];
            switch (tag)
            {
                case '_': text.Append('_'); break;
                case 'd': text.Append('.'); break;
                case 'h': text.Append('-'); break;
                case 'n': break;
                // A name the hub did not encode (a sender's own metadata on a landed blob) may hold "_u" without four hex digits: kept as it is.
                case 'u' when i + 4 < name.Length && ushort.TryParse(name.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    text.Append((char)code);
                    i += 4;
                    break;
                default: text.Append('_').Append(tag); break;
            }
        }

        return text.ToString();
    }
}
