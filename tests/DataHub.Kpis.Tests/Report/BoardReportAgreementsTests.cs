using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;
using DataHub.Core.Report;

namespace DataHub.Kpis.Tests.Report;

/// <summary>The Agreements table shows what the governance tables published, naming partners and feeds in words without taking anything else from today's agreement files.</summary>
public sealed class BoardReportAgreementsTests
{
    private static readonly Quarter Q = Quarter.Parse("2021Q1");
    private static readonly DateTimeOffset Generated = new(2026, 12, 1, 19, 31, 0, TimeSpan.Zero);
    private static readonly DateOnly PublishedOn = new(2026, 12, 1);

    [Fact]
    public void An_agreement_extended_since_publication_shows_its_published_dates()
    {
        var agreements = RepoAgreements();
        var csc = agreements.Find("csc")!;
        var published = Published(agreements);
        var extended = new ProtocolSet(agreements.Partners.Select(p => p.Partner == "csc" ? p with { ValidTo = p.ValidTo.AddYears(2) } : p), []);

        var cell = AgreementCells(Render(published, extended)).Single(c => c.Contains("csc", StringComparison.Ordinal));

        cell.Should().EndWith($"valid {Day(csc.ValidFrom)} to {Day(csc.ValidTo)}.", "the published row's dates, as its days to expiry are")
            .And.NotContain(Day(csc.ValidTo.AddYears(2)));
    }

    [Fact]
    public void An_agreement_unchanged_since_publication_names_its_partner_and_feeds_in_words()
    {
        var agreements = RepoAgreements();
        var csc = agreements.Find("csc")!;

        var cell = AgreementCells(Render(Published(agreements), agreements)).Single(c => c.Contains("(csc)", StringComparison.Ordinal));

        cell.Should().Be(BoardActivity.AgreementDetail(csc, csc.DisplayName, f => DataHub.Core.Feeds.FeedCatalog.Find(f)!.DisplayName))
            .And.StartWith("Children's social care (csc): ").And.EndWith($"valid {Day(csc.ValidFrom)} to {Day(csc.ValidTo)}.");
    }

    [Fact]
    public void Two_partners_sharing_one_agreement_id_each_show_their_own_name()
    {
        var repo = RepoAgreements();
        var (csc, police) = (repo.Find("csc")!, repo.Find("police")!);
        var shared = new ProtocolSet([csc, police with { AgreementId = csc.AgreementId }], []);

        var cells = AgreementCells(Render(Published(shared), shared));

        cells.Should().HaveCount(2);
        cells.Should().ContainSingle(c => c.StartsWith(csc.DisplayName + ": ", StringComparison.Ordinal))
            .And.ContainSingle(c => c.StartsWith(police.DisplayName + ": ", StringComparison.Ordinal));
    }

    private static ProtocolSet RepoAgreements() =>
        DataHub.Storage.Local.ProtocolFolder.Load(Path.Combine(DataHub.Testing.RepoPaths.Root, "functions", "protocols"));

    // The agreement rows as the governance tables publish them.
    private static string[][] Published(ProtocolSet agreements) =>
        [.. BoardActivity.Activity([], agreements, new AuditVerification(true, 0, null, "0 events, chain intact."), PublishedOn)
            .Where(r => r.Activity == "agreement")
            .Select(r => new[] { r.Activity, r.Quarter.ToString(), "", r.Subject, r.Status, r.Detail, r.Count?.ToString(CultureInfo.InvariantCulture) ?? "" })];

    private static string Render(string[][] published, ProtocolSet agreements) =>
        BoardReport.Render(ReportData.With(activity: published) with { Agreements = agreements }, Q, Generated);

    // The "Partner, feeds and validity" cell of each row of the Agreements table.
    private static string[] AgreementCells(string html)
    {
        var table = Regex.Match(html, "<caption>Agreements</caption>.*?</table>", RegexOptions.Singleline).Value;
        return [.. Regex.Matches(table, "<tr><td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
