using System.CommandLine;
using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>`datahub audit verify` and `datahub audit show`: the audit trail's hash chain and its events.</summary>
internal static class AuditCommands
{
    public static Command Create(CommandEnvironment env)
    {
        var audit = new Command("audit", "Read and verify the audit trail ({root}/audit/audit-log.jsonl).");

        var verifyRoot = CommonOptions.Root();
        var verify = new Command("verify", "Check the hash chain: any edited, deleted or reordered event is reported.") { verifyRoot };
        verify.SetAction(async (parse, ct) =>
        {
            var log = new LocalAuditLog(parse.GetValue(verifyRoot)!, env.Time);
            var result = await AuditVerifier.VerifyAsync(log, ct);
            (result.Intact ? env.Output : env.Error).WriteLine(result.Intact ? $"Audit chain intact: {result.Message}" : $"Audit chain BROKEN: {result.Message}");
            return result.Intact ? ExitCodes.Ok : ExitCodes.Rejected;
        });

        var showRoot = CommonOptions.Root();
        var last = new Option<int>("--last") { Description = "Show only the last N events (0 for all).", DefaultValueFactory = _ => 50 };
        var partner = new Option<string?>("--partner") { Description = "Only events about this partner." };
        var feed = new Option<string?>("--feed") { Description = "Only events about this feed." };
        var show = new Command("show", "List audit events: time, kind, partner, feed, agreement, rule, counts.") { showRoot, last, partner, feed };
        show.SetAction(async (parse, ct) =>
        {
            var log = new LocalAuditLog(parse.GetValue(showRoot)!, env.Time);
            var p = parse.GetValue(partner);
            var f = parse.GetValue(feed);
            var events = new List<AuditEvent>();
            await foreach (var e in log.ReadAsync(ct))
            {
                if ((p is null || e.Entry.Partner == p) && (f is null || e.Entry.Feed == f))
                {
                    events.Add(e);
                }
            }

            var n = parse.GetValue(last);
            var shown = n > 0 ? events.Skip(Math.Max(0, events.Count - n)) : events;
            new Terminal(env.Output).Table(
                ["seq", "time (UTC)", "kind", "partner", "feed", "agreement", "rule", "counts", "detail"],
                shown.Select(e => (IReadOnlyList<string>)
                [
                    e.Sequence.ToString(CultureInfo.InvariantCulture),
                    e.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    e.Entry.Kind,
                    e.Entry.Partner ?? string.Empty,
                    e.Entry.Feed ?? string.Empty,
                    e.Entry.Agreement ?? string.Empty,
                    e.Entry.Rule ?? string.Empty,
                    e.Entry.Counts is null ? string.Empty : string.Join(' ', e.Entry.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")),
                    e.Entry.Detail ?? string.Empty,
                ]));
            return ExitCodes.Ok;
        });

        audit.Subcommands.Add(verify);
        audit.Subcommands.Add(show);
        return audit;
    }
}
