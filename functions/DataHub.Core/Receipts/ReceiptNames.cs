using System.Text.RegularExpressions;

namespace DataHub.Core.Receipts;

/// <summary>
/// How messages name a receipt: by its key, only when every part has the shape the hub gives it. Anything else in the
/// receipt store was not written by the hub, and its name (a folder, a file) may be a person's, so it is not repeated.
/// </summary>
public static partial class ReceiptNames
{
    /// <summary>What a message says of a stored object not named as the hub names receipts.</summary>
    public const string Stray = "an object not named as the hub names receipts";

    /// <summary>The receipt of <paramref name="partner"/>/<paramref name="feed"/> and the first 16 characters of its content hash, or <see cref="Stray"/>.</summary>
    public static string Of(string partner, string feed, string sha256) =>
        IsName(partner) && IsName(feed) && IsHash(sha256) ? $"the receipt of {partner}/{feed} content {sha256[..16]}" : Stray;

    /// <summary>True when <paramref name="part"/> has the shape of a partner or feed name (lower-case letters, digits, hyphens).</summary>
    public static bool IsName(string part) => Protocols.ProtocolLoader.IsName(part);

    /// <summary>True when <paramref name="part"/> has the shape of a content hash (64 lower-case hex digits).</summary>
    public static bool IsHash(string part) => HashPattern().IsMatch(part);

    /// <summary>True when <paramref name="batchId"/> has the shape of a batch id ({partner}-{16 hex}, as ingestion names batches).</summary>
    public static bool IsBatchId(string batchId) => BatchIdPattern().IsMatch(batchId);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*-[0-9a-f]{16}$")]
    private static partial Regex BatchIdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HashPattern();
}
