using System.Text.RegularExpressions;
using DataHub.Testing;

namespace DataHub.Azure.Tests.Infra;

/// <summary>
/// docs/runbook.md's Log Analytics queries ("Who sent a landed file, and who read the key") run over storage logs that
/// hold partners' file names. The hub's labels are keyed, so KQL cannot compute them, and an unkeyed hash of a name
/// (what the queries used to show as its label) can be worked back to the name: the queries must show neither a name nor
/// a hash of one, and find a file by the times the hub handled it. Nothing here runs KQL; this reads what the queries say.
/// </summary>
public sealed partial class RunbookQueryTests
{
    [Fact]
    public void The_queries_compute_no_hash_of_a_file_name()
    {
        var queries = Queries();
        queries.Should().HaveCountGreaterThanOrEqualTo(4, "the section has its four queries");
        queries.Should().NotContain(q => q.Contains("hash_sha256", StringComparison.Ordinal) || q.Contains("hash_md5", StringComparison.Ordinal) || q.Contains("hash(", StringComparison.Ordinal),
            "an unkeyed hash of a name is as good as the name to anyone with a list of candidates");
        queries.Should().NotContain(q => q.Contains("strcat(\"file-\"", StringComparison.Ordinal), "a label is keyed: only the hub makes it");
    }

    [Fact]
    public void The_queries_show_no_file_name_or_path()
    {
        foreach (var query in Queries())
        {
            foreach (Match shown in Projected().Matches(query))
            {
                var columns = shown.Groups["columns"].Value;
                ShownName().IsMatch(columns).Should().BeFalse($"a projected column may not carry a blob's name or path: {columns}");
            }
        }
    }

    [Fact]
    public void Query_one_finds_the_file_by_the_times_the_hub_handled_it_and_points_operators_to_datahub_label()
    {
        var section = Section();
        var first = Queries()[0];
        first.Should().Contain("let received = datetime(").And.Contain("RequesterObjectId == app").And.Contain("join kind=inner blobs on Path");
        section.Should().Contain("`datahub label`");
    }

    private static List<string> Queries() =>
        [.. Kusto().Matches(Section()).Select(m => m.Groups["query"].Value)];

    private static string Section()
    {
        var runbook = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "runbook.md"));
        var start = runbook.IndexOf("## Who sent a landed file, and who read the key", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "the runbook has the section with the audit workspace's queries");
        var end = runbook.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? runbook[start..] : runbook[start..end];
    }

    [GeneratedRegex(@"```kusto\n(?<query>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Kusto();

    // A project operator's column list: up to the next pipe at a line's start, or the query's end.
    [GeneratedRegex(@"\|\s*project(-rename)?\s(?<columns>.*?)(?=\n\||$)", RegexOptions.Singleline)]
    private static partial Regex Projected();

    [GeneratedRegex(@"\b(FileName|Path|Uri|Url|ObjectKey)\b")]
    private static partial Regex ShownName();
}
