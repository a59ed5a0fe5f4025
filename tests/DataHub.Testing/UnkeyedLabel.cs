using System.Security.Cryptography;
using System.Text;

namespace DataHub.Testing;

/// <summary>
/// The label a file name had before labels were keyed: "file-" and the first 8 hex of the name's plain SHA-256. Anyone
/// can compute it from a list of candidate names, so leak scans check that no output holds it.
/// </summary>
public static class UnkeyedLabel
{
    /// <summary>The unkeyed label's hex part for <paramref name="fileName"/> ("file-" and 8 hex, no extension).</summary>
    public static string Of(string fileName) => "file-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fileName)))[..8];
}
