using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DataHub.Core.Ingestion;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// docs/runbook.md's Log Analytics queries ("Who sent a landed file, and who read the key") name a landed file by the label
/// the hub records for it, worked out in KQL from the name in the storage logs. Nothing here runs KQL; this checks the
/// formula the queries spell out (first hex digits of the name's SHA-256, the extension the regex keeps) against the code.
/// </summary>
public sealed partial class RunbookQueryTests
{
    [Theory]
    [InlineData("jan.csv")]
    [InlineData("Smith, John 2015-02-01.CSV")]
    [InlineData("extract.tar.gz")]
    [InlineData("multi.dots.in.name.XLSX")]
    [InlineData("noextension")]
    [InlineData("trailing.")]
    [InlineData("dash.ext-ension")]
    [InlineData(".hidden")]
    [InlineData(".csv")]
    [InlineData("five.abcde")]
    [InlineData("six.abcdef")]
    [InlineData("ünïcödé näme.xlsx")]
    [InlineData("a.çsv")]
    public void The_label_the_queries_compute_is_the_label_the_hub_records(string fileName)
    {
        var formulas = LabelFormula().Matches(Section()).Select(m => (Digits: int.Parse(m.Groups["digits"].Value, System.Globalization.CultureInfo.InvariantCulture), Extension: m.Groups["extension"].Value)).Distinct().ToList();
        var formula = formulas.Should().ContainSingle("the queries that show a file's label all work it out the same way").Subject;

        // As Log Analytics evaluates it: hash_sha256 of the name (lower-case hex), its first digits, then the regex's group, lower-cased.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fileName)));
        var label = "file-" + hash[..formula.Digits] + Regex.Match(fileName, formula.Extension).Groups[1].Value.ToLowerInvariant();

        label.Should().Be(SafeNames.FileLabel(fileName));
    }

    private static string Section()
    {
        var runbook = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "runbook.md"));
        var start = runbook.IndexOf("## Who sent a landed file, and who read the key", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "the runbook has the section with the audit workspace's queries");
        var end = runbook.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? runbook[start..] : runbook[start..end];
    }

    [GeneratedRegex("""Label = strcat\("file-", substring\(hash_sha256\(FileName\), 0, (?<digits>\d+)\), tolower\(extract\(@"(?<extension>[^"]+)", 1, FileName\)\)\)""")]
    private static partial Regex LabelFormula();
}
