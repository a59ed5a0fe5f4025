using System.Text;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Functions;

/// <summary>Recorded custom-handler payloads (Functions host v4 shapes) with placeholders filled per test.</summary>
internal static class Payloads
{
    public static string BlobTrigger(string landingPath, byte[] content, string etag, string uriBase)
    {
        var parts = landingPath.Split('/', 4);
        return Fill("blob-trigger.json", new Dictionary<string, string>
        {
            ["BASE64"] = Convert.ToBase64String(content),
            ["PARTNER"] = parts[1],
            ["FEED"] = parts[2],
            ["NAME"] = parts[3],
            ["URI"] = uriBase.TrimEnd('/') + "/" + string.Join('/', landingPath.Split('/').Select(Uri.EscapeDataString)),
            ["LENGTH"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ETAG"] = etag.Replace("\"", "\\\"", StringComparison.Ordinal),
        });
    }

    public static string Timer(string function, bool pastDue) =>
        Fill("timer-trigger.json", new Dictionary<string, string> { ["FUNCTION"] = function, ["PASTDUE"] = pastDue ? "true" : "false" });

    private static string Fill(string file, Dictionary<string, string> values)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "DataHub.Azure.Tests", "Functions", "Payloads", file), Encoding.UTF8);
        foreach (var (name, value) in values)
        {
            text = text.Replace("{{" + name + "}}", value, StringComparison.Ordinal);
        }

        return text;
    }
}
