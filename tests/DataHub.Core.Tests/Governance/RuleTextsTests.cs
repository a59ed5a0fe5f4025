using System.Reflection;
using DataHub.Core.Governance;
using DataHub.Core.Ingestion;
using DataHub.Core.Protocols;
using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Governance;

/// <summary>The rejections table and the board report explain every rule in plain words, never by its bare code.</summary>
public sealed class RuleTextsTests
{
    public static TheoryData<string> EveryRule()
    {
        var rules = new TheoryData<string>();
        foreach (var type in new[] { typeof(Rules), typeof(ProtocolRules), typeof(IngestExtract) })
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            {
                rules.Add((string)field.GetRawConstantValue()!);
            }
        }

        return rules;
    }

    [Theory]
    [MemberData(nameof(EveryRule))]
    public void Every_rule_the_hub_reports_has_a_plain_english_text(string rule) =>
        RuleTexts.Describe(rule).Should().NotBe($"Rule {rule}.").And.NotContain(rule);
}
