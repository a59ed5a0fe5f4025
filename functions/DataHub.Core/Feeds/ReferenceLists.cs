using CsvHelper;

namespace DataHub.Core.Feeds;

/// <summary>The reference code lists in Feeds/Reference/, embedded in this assembly: validation checks codes against them and the seeds generator draws from them.</summary>
public static class ReferenceLists
{
    private static readonly Lazy<IReadOnlyList<ReferenceCode>> EthnicityList = new(() => Load("ethnicity"));
    private static readonly Lazy<IReadOnlyList<ReferenceCode>> CategoryOfNeedList = new(() => Load("category-of-need"));
    private static readonly Lazy<IReadOnlyList<ReferenceCode>> ClosureReasonList = new(() => Load("closure-reasons"));
    private static readonly Lazy<IReadOnlyList<ReferenceCode>> RelationshipList = new(() => Load("relationship"));

    /// <summary>DfE children's social care ethnicity codes (toolkit D06), e.g. WBRI.</summary>
    public static IReadOnlyList<ReferenceCode> Ethnicity => EthnicityList.Value;

    /// <summary>Referral category of need N1–N9 (toolkit R07).</summary>
    public static IReadOnlyList<ReferenceCode> CategoryOfNeed => CategoryOfNeedList.Value;

    /// <summary>NDTMS-style treatment closure (discharge) reasons; <see cref="ReferenceCode.Completed"/> marks "treatment completed".</summary>
    public static IReadOnlyList<ReferenceCode> ClosureReasons => ClosureReasonList.Value;

    /// <summary>Relationship types within a family (toolkit D07).</summary>
    public static IReadOnlyList<ReferenceCode> Relationship => RelationshipList.Value;

    /// <summary>The codes of a list, in file order.</summary>
    public static IReadOnlyList<string> Codes(IReadOnlyList<ReferenceCode> list) => list.Select(c => c.Code).ToArray();

    /// <summary>The closure reasons that count as successful completion by default (the NDTMS "treatment completed" reasons).</summary>
    public static IReadOnlyList<string> CompletedClosureReasons => ClosureReasons.Where(c => c.Completed).Select(c => c.Code).ToArray();

    private static IReadOnlyList<ReferenceCode> Load(string name)
    {
        var resource = "DataHub.Core.Reference." + name + ".csv";
        using var stream = typeof(ReferenceLists).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Reference list {resource} is not embedded in {typeof(ReferenceLists).Assembly.GetName().Name}.");
        using var csv = CsvReader.Create(stream, new CsvReaderOptions { Separator = ',', TrimWhitespace = false }, leaveOpen: false);
        var hasCompleted = csv.TryGetFieldIndex("completed", out var completedColumn);
        var codes = new List<ReferenceCode>();
        while (csv.Read())
        {
            var code = csv.GetString(0);
            var label = csv.FieldCount > 1 ? csv.GetString(1) : code;
            codes.Add(new ReferenceCode(code, label, hasCompleted && csv.GetSpan(completedColumn).SequenceEqual("Y"u8)));
        }

        return codes;
    }
}

/// <summary>One code of a reference list.</summary>
/// <param name="Code">The code as stored, e.g. "WBRI" or "N1".</param>
/// <param name="Label">Its meaning in words.</param>
/// <param name="Completed">For closure reasons: counts as successful completion.</param>
public sealed record ReferenceCode(string Code, string Label, bool Completed = false);
