using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataHub.Host.Functions;

/// <summary>What the Functions host POSTs to a custom handler: trigger data by binding name, and trigger metadata.</summary>
public sealed record InvocationRequest
{
    /// <summary>Binding values by binding name (a blob trigger's content arrives base64-encoded here).</summary>
    public Dictionary<string, JsonElement> Data { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Trigger metadata: for a blob, <c>name</c>, <c>Uri</c>, <c>Properties</c> and the path pattern's values.</summary>
    public Dictionary<string, JsonElement> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>What a custom handler answers: output bindings (none here), log lines for the host, and a return value.</summary>
public sealed record InvocationResponse
{
    /// <summary>Output binding values by name; the hub's functions write through their own adapters, so none.</summary>
    public Dictionary<string, object?> Outputs { get; init; } = [];

    /// <summary>Lines the host writes to its invocation log; never a raw value.</summary>
    public List<string> Logs { get; init; } = [];

    /// <summary>Unused by these functions.</summary>
    public object? ReturnValue { get; init; }
}

/// <summary>A blob trigger read as an event: which blob (its landing path) and which version (its ETag).</summary>
/// <param name="LandingPath">"landing/{partner}/{feed}/{name}".</param>
/// <param name="ETag">The version the event was raised for, when the host sent it.</param>
public sealed record BlobTriggerEvent(string LandingPath, string? ETag)
{
    private const string Container = "landing";

    /// <summary>Reads the blob's path from <c>Metadata.Uri</c> (falling back to the path pattern's partner/feed/name) and its ETag from <c>Metadata.Properties</c>.</summary>
    /// <exception cref="InvalidInvocationException">The metadata names no blob in the landing container.</exception>
    public static BlobTriggerEvent From(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = PathFromUri(Text(request.Metadata, "Uri")) ?? PathFromPattern(request.Metadata)
            ?? throw new InvalidInvocationException("The blob trigger's metadata names no blob in the landing container (no Uri, no partner/feed/name).");
        string? etag = null;
        if (request.Metadata.TryGetValue("Properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            etag = properties.EnumerateObject()
                .Where(p => string.Equals(p.Name, "ETag", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                .Select(p => p.Value.GetString())
                .FirstOrDefault();
        }

        return new BlobTriggerEvent(path, string.IsNullOrEmpty(etag) ? null : etag);
    }

    private static string? PathFromUri(string? uri)
    {
        if (uri is null || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return null;
        }

        // Works for account-host URLs (https://acct.blob.core.windows.net/landing/…) and path-style emulator URLs (…/devstoreaccount1/landing/…).
        var segments = parsed.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var index = segments.IndexOf(Container);
        return index < 0 || index == segments.Count - 1 ? null : string.Join('/', segments.Skip(index));
    }

    private static string? PathFromPattern(Dictionary<string, JsonElement> metadata)
    {
        var partner = Text(metadata, "partner");
        var feed = Text(metadata, "feed");
        var name = Text(metadata, "name");
        return partner is null || feed is null || name is null ? null : $"{Container}/{partner}/{feed}/{name}";
    }

    private static string? Text(Dictionary<string, JsonElement> values, string name) =>
        values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A timer trigger: whether the run is late (the host missed a schedule), and when it last ran.</summary>
/// <param name="IsPastDue">True when the host is running a missed occurrence.</param>
/// <param name="Last">The previous occurrence, when the host tracks it.</param>
/// <param name="Next">The next scheduled occurrence.</param>
public sealed record TimerTriggerEvent(bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next)
{
    /// <summary>Reads <c>Data.timer</c> (<c>IsPastDue</c>, <c>ScheduleStatus.Last/Next</c>); absent parts read as not past due / unknown.</summary>
    public static TimerTriggerEvent From(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var timer = request.Data.Values.FirstOrDefault(v => v.ValueKind == JsonValueKind.Object && (Has(v, "IsPastDue") || Has(v, "ScheduleStatus")));
        if (timer.ValueKind != JsonValueKind.Object)
        {
            return new TimerTriggerEvent(false, null, null);
        }

        var pastDue = Property(timer, "IsPastDue") is { ValueKind: JsonValueKind.True };
        var status = Property(timer, "ScheduleStatus");
        return new TimerTriggerEvent(
            pastDue,
            status is { ValueKind: JsonValueKind.Object } s ? Time(Property(s, "Last")) : null,
            status is { ValueKind: JsonValueKind.Object } n ? Time(Property(n, "Next")) : null);
    }

    private static bool Has(JsonElement value, string name) => Property(value, name) is not null;

    private static JsonElement? Property(JsonElement value, string name) =>
        value.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static DateTimeOffset? Time(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String } v && DateTimeOffset.TryParse(v.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}

/// <summary>The host sent a request the handler cannot act on (a malformed or foreign payload).</summary>
public sealed class InvalidInvocationException(string message) : Exception(message);

/// <summary>JSON settings for the custom-handler payloads (PascalCase property names, as the host writes them).</summary>
internal static class InvocationJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
