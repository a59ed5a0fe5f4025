using DataHub.Core.Tests.Feeds;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Core.Tests.Parsing;

/// <summary>Police incident workbooks for the workbook tests: one row per incident id, the rest of each row fixed.</summary>
internal static class PoliceWorkbooks
{
    /// <summary>The feed the workbooks are extracts of.</summary>
    public const string Police = "police-da-incidents";

    /// <summary>A one-sheet workbook holding incident INC0, the template <see cref="SheetedWorkbook.Combine"/> builds on.</summary>
    public static byte[] Template => Workbook("INC0");

    /// <summary>A sheet holding one row per id.</summary>
    public static WorkbookTab Incidents(params string[] ids) => WorkbookTab.From(Workbook(ids));

    /// <summary>A one-sheet workbook holding one row per id.</summary>
    public static byte[] Workbook(params string[] ids)
    {
        using var stream = new MemoryStream();
        XlsxWriter.Write(stream, FeedSamples.Contract(Police).Fields.Select(f => f.Name).ToArray(),
            ids.Select(id => (IReadOnlyList<object?>)[id, new DateOnly(2017, 6, 1), "victim", "Jane", "Smith", new DateOnly(1985, 2, 3), "F", "Y", "N"]));
        return stream.ToArray();
    }
}
