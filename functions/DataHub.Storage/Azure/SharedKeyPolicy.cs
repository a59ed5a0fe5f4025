using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DataHub.Storage.Azure;

/// <summary>Which Shared Key string-to-sign a request uses (Azure Storage REST "Authorize with Shared Key").</summary>
public enum SharedKeyScheme
{
    /// <summary>SharedKey for the Blob service: verb, the standard headers, canonical x-ms headers and the full canonical resource.</summary>
    Blob,

    /// <summary>SharedKey for the Table service: verb, Content-MD5, Content-Type, date and the resource with only comp.</summary>
    Table,

    /// <summary>SharedKeyLite for the Table service: date and the resource with only comp.</summary>
    TableLite,
}

/// <summary>Signs each try of a request with the account key, after the date header is set; runs per retry so the date is fresh.</summary>
internal sealed class SharedKeyPolicy(SharedKeyCredential credential, SharedKeyScheme scheme, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);
        var stringToSign = StringToSign(request, scheme, credential.AccountName);
        var label = scheme is SharedKeyScheme.TableLite ? "SharedKeyLite" : "SharedKey";
        request.Headers.SetValue("Authorization", $"{label} {credential.AccountName}:{credential.Sign(stringToSign)}");
    }

    /// <summary>The string the signature is computed over, per the scheme.</summary>
    internal static string StringToSign(Request request, SharedKeyScheme scheme, string accountName)
    {
        var verb = request.Method.Method.ToUpperInvariant();
        var date = Header(request, "x-ms-date");
        return scheme switch
        {
            SharedKeyScheme.Blob => string.Join('\n',
                verb,
                Header(request, "Content-Encoding"),
                Header(request, "Content-Language"),
                ContentLength(request),
                Header(request, "Content-MD5"),
                Header(request, "Content-Type"),
                string.Empty, // Date: x-ms-date is sent instead, so the standard Date slot stays empty.
                Header(request, "If-Modified-Since"),
                Header(request, "If-Match"),
                Header(request, "If-None-Match"),
                Header(request, "If-Unmodified-Since"),
                Header(request, "Range"),
                CanonicalHeaders(request) + FullResource(request, accountName)),
            SharedKeyScheme.Table => string.Join('\n',
                verb,
                Header(request, "Content-MD5"),
                Header(request, "Content-Type"),
                date,
                CompOnlyResource(request, accountName)),
            SharedKeyScheme.TableLite => date + "\n" + CompOnlyResource(request, accountName),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
        };
    }

    private static string Header(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

    // Since version 2015-02-21 an empty body signs as an empty Content-Length, not "0".
    private static string ContentLength(Request request) =>
        request.Content is not null && request.Content.TryComputeLength(out var length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : string.Empty;

    private static string CanonicalHeaders(Request request)
    {
        var headers = request.Headers
            .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Name.ToLowerInvariant(), Value: UnfoldWhitespace(h.Value)))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }

        return text.ToString();
    }

    private static string UnfoldWhitespace(string value)
    {
        var text = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                space = true;
                continue;
            }

            if (space)
            {
                text.Append(' ');
                space = false;
            }

            text.Append(c);
        }

        return text.ToString();
    }

    private static string FullResource(Request request, string accountName)
    {
        var text = new StringBuilder("/").Append(accountName).Append(EncodedPath(request));
        var query = QueryParameters(request)
            .GroupBy(p => p.Name.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in query)
        {
            var values = group.Select(p => p.Value).OrderBy(v => v, StringComparer.Ordinal);
            text.Append('\n').Append(group.Key).Append(':').Append(string.Join(',', values));
        }

        return text.ToString();
    }

    private static string CompOnlyResource(Request request, string accountName)
    {
        var resource = "/" + accountName + EncodedPath(request);
        var comp = QueryParameters(request).FirstOrDefault(p => string.Equals(p.Name, "comp", StringComparison.OrdinalIgnoreCase));
        return comp.Name is null ? resource : resource + "?comp=" + comp.Value;
    }

    private static string EncodedPath(Request request)
    {
        var path = request.Uri.ToUri().AbsolutePath;
        return path.Length == 0 ? "/" : path;
    }

    private static IEnumerable<(string Name, string Value)> QueryParameters(Request request)
    {
        var query = request.Uri.ToUri().Query.TrimStart('?');
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            yield return (name, value);
        }
    }
}
