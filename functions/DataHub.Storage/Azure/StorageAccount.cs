using Azure.Core;

namespace DataHub.Storage.Azure;

/// <summary>Where a storage account's Blob and Table services are, and how requests to them are authorised.</summary>
public sealed class StorageAccount
{
    // Azurite's documented development account; a public constant, not a secret.
    private const string DevelopmentAccountName = "devstoreaccount1";
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageAccount(string name, Uri blobEndpoint, Uri tableEndpoint, SharedKeyCredential? sharedKey, TokenCredential? token)
    {
        Name = name;
        BlobEndpoint = EnsureTrailingSlash(blobEndpoint);
        TableEndpoint = EnsureTrailingSlash(tableEndpoint);
        SharedKey = sharedKey;
        Token = token;
    }

    /// <summary>The account name.</summary>
    public string Name { get; }

    /// <summary>The Blob service endpoint (ends in '/'); path-style for Azurite, e.g. http://127.0.0.1:10000/devstoreaccount1/.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The Table service endpoint (ends in '/').</summary>
    public Uri TableEndpoint { get; }

    /// <summary>The account key, when authorising with Shared Key.</summary>
    internal SharedKeyCredential? SharedKey { get; }

    /// <summary>The Entra ID credential, when authorising with a token.</summary>
    internal TokenCredential? Token { get; }

    /// <summary>Parses a connection string: <c>UseDevelopmentStorage=true</c>, or AccountName/AccountKey with a protocol and suffix or explicit endpoints.</summary>
    /// <exception cref="FormatException">The string lacks what is needed; the message names the missing part, never the key.</exception>
    public static StorageAccount FromConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException("The storage connection string has a part without 'name=value'.");
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && string.Equals(dev, "true", StringComparison.OrdinalIgnoreCase))
        {
            var proxy = parts.TryGetValue("DevelopmentStorageProxyUri", out var p) ? p.TrimEnd('/') : "http://127.0.0.1";
            return new StorageAccount(
                DevelopmentAccountName,
                new Uri($"{proxy}:10000/{DevelopmentAccountName}/"),
                new Uri($"{proxy}:10002/{DevelopmentAccountName}/"),
                new SharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
                token: null);
        }

        var name = Require(parts, "AccountName");
        var key = Require(parts, "AccountKey");
        var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var proto) ? proto : "https";
        var suffix = parts.TryGetValue("EndpointSuffix", out var sfx) ? sfx : "core.windows.net";
        var blob = parts.TryGetValue("BlobEndpoint", out var b) ? new Uri(b) : new Uri($"{protocol}://{name}.blob.{suffix}/");
        var table = parts.TryGetValue("TableEndpoint", out var t) ? new Uri(t) : new Uri($"{protocol}://{name}.table.{suffix}/");
        return new StorageAccount(name, blob, table, new SharedKeyCredential(name, key), token: null);
    }

    /// <summary>An account reached with an Entra ID credential (DefaultAzureCredential: managed identity in Azure).</summary>
    public static StorageAccount FromToken(Uri blobEndpoint, Uri tableEndpoint, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        ArgumentNullException.ThrowIfNull(tableEndpoint);
        ArgumentNullException.ThrowIfNull(credential);
        var host = blobEndpoint.Host;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return new StorageAccount(dot > 0 ? host[..dot] : host, blobEndpoint, tableEndpoint, sharedKey: null, credential);
    }

    /// <summary>Shows the account name and endpoints only, never the key.</summary>
    public override string ToString() => $"storage account {Name} ({BlobEndpoint}, {TableEndpoint})";

    private static string Require(Dictionary<string, string> parts, string name) =>
        parts.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"The storage connection string has no {name}.");

    private static Uri EnsureTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}

/// <summary>A storage account name and its decoded key; the key never leaves the signing policy.</summary>
internal sealed class SharedKeyCredential
{
    private readonly byte[] _key;

    public SharedKeyCredential(string accountName, string base64Key)
    {
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            throw new FormatException("The storage account key is not valid base64.");
        }
    }

    public string AccountName { get; }

    public string Sign(string stringToSign) =>
        Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(_key, System.Text.Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => $"shared key for {AccountName}";
}
