using System.IO.Compression;
using System.Xml;

namespace DataHub.Core.Parsing;

/// <summary>One sheet of a workbook, in the order ExcelDataReader reads them: the part holding its cells (null when the
/// workbook names none, or one it does not hold: read as empty) and whether it is hidden.</summary>
internal sealed record WorkbookSheet(ZipArchiveEntry? Part, bool Hidden);

/// <summary>Lists a workbook's sheets as ExcelDataReader (3.6) finds them, so the sheet it reads as the first is the one
/// called first here: the <c>sheet</c> elements of xl/workbook.xml in document order (the tab order), each resolved
/// through xl/_rels/workbook.xml.rels to a zip entry. Part names say nothing of order (a moved tab keeps its part).</summary>
internal static class WorkbookSheets
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string DocumentRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships";

    /// <summary>The most sheets a workbook may list: real extracts hold a handful, and each costs a lookup per relationship.</summary>
    public const int MaxSheets = 1_000;

    /// <summary>The sheets of <paramref name="zip"/>, first to last; empty when it has no workbook part, null when it lists
    /// more than <see cref="MaxSheets"/>. Malformed XML throws <see cref="XmlException"/>, as it does in ExcelDataReader.</summary>
    public static IReadOnlyList<WorkbookSheet>? Read(ZipArchive zip)
    {
        var sheets = new List<(string? Id, bool Hidden)>();
        if (Workbook(zip) is not { } workbook)
        {
            return [];
        }

        using (var stream = workbook.Open())
        {
            // Only <sheet> children of <sheets> children of the root <workbook>, as ExcelDataReader reads them.
            foreach (var sheet in Children(stream, "workbook", Main, "sheets", "sheet"))
            {
                if (sheets.Count == MaxSheets)
                {
                    return null;
                }

                var state = sheet.GetAttribute("state");
                sheets.Add((sheet.GetAttribute("id", DocumentRelationships), state is "hidden" or "veryHidden"));
            }
        }

        // ExcelDataReader gives a relationship's target to the first sheet naming its id (a sheet naming none matches a
        // relationship naming none); a later relationship with the same id wins.
        var firstById = new Dictionary<string, int>(StringComparer.Ordinal);
        int? firstWithoutId = null;
        for (var i = sheets.Count - 1; i >= 0; i--)
        {
            if (sheets[i].Id is { } id)
            {
                firstById[id] = i;
            }
            else
            {
                firstWithoutId = i;
            }
        }

        var targets = new string?[sheets.Count];
        if (Relationships(zip) is { } rels)
        {
            using var stream = rels.Open();
            foreach (var relationship in Children(stream, "Relationships", PackageRelationships, null, "Relationship"))
            {
                var index = relationship.GetAttribute("Id") is { } id ? firstById.GetValueOrDefault(id, -1) : firstWithoutId ?? -1;
                if (index >= 0)
                {
                    targets[index] = relationship.GetAttribute("Target");
                }
            }
        }

        return [.. sheets.Select((s, i) => new WorkbookSheet(Part(zip, targets[i]), s.Hidden))];
    }

    /// <summary>The workbook part, xl/workbook.xml, as ExcelDataReader finds it.</summary>
    public static ZipArchiveEntry? Workbook(ZipArchive zip) => Find(zip, "xl/workbook.xml");

    /// <summary>The workbook's relationships, xl/_rels/workbook.xml.rels, as ExcelDataReader finds them.</summary>
    public static ZipArchiveEntry? Relationships(ZipArchive zip) => Find(zip, "xl/_rels/workbook.xml.rels");

    /// <summary>The shared strings ExcelDataReader loads: xl/sharedStrings.xml by that name (it does not follow the
    /// workbook's relationships to them).</summary>
    public static ZipArchiveEntry? SharedStrings(ZipArchive zip) => Find(zip, "xl/sharedStrings.xml");

    /// <summary>The styles ExcelDataReader loads: xl/styles.xml by that name.</summary>
    public static ZipArchiveEntry? Styles(ZipArchive zip) => Find(zip, "xl/styles.xml");

    /// <summary>How many shared strings ExcelDataReader holds from <paramref name="part"/>: the <c>si</c> children of its
    /// root <c>sst</c>. Read only once the part has passed the workbook check (its nesting is bounded).</summary>
    public static long CountSharedStrings(ZipArchiveEntry part)
    {
        using var stream = part.Open();
        return Children(stream, "sst", Main, null, "si").LongCount();
    }

    // ExcelDataReader takes a target under /xl/ as written and any other as relative to xl/; a sheet with no target, or
    // one the zip does not hold, it reads as empty.
    private static ZipArchiveEntry? Part(ZipArchive zip, string? target) =>
        string.IsNullOrEmpty(target) ? null
        : Find(zip, target.StartsWith("/xl/", StringComparison.OrdinalIgnoreCase) ? target[1..] : "xl/" + target);

    // The first entry of that name, ignoring case and slash direction, as ExcelDataReader finds parts.
    private static ZipArchiveEntry? Find(ZipArchive zip, string name) =>
        zip.Entries.FirstOrDefault(e => e.FullName.Replace('\\', '/').Equals(name, StringComparison.OrdinalIgnoreCase));

    // The reader positioned on each element named item under the root (directly, or under a child named group when given).
    private static IEnumerable<XmlReader> Children(Stream part, string root, string ns, string? group, string item)
    {
        using var xml = XmlReader.Create(part);
        if (!xml.IsStartElement(root, ns))
        {
            yield break;
        }

        var itemDepth = group is null ? 1 : 2;
        var inGroup = group is null;
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (group is not null && xml.Depth == 1)
            {
                inGroup = xml.LocalName == group && xml.NamespaceURI == ns;
            }
            else if (inGroup && xml.Depth == itemDepth && xml.LocalName == item && xml.NamespaceURI == ns)
            {
                yield return xml;
            }
        }
    }
}
