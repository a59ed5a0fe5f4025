using System.CommandLine;
using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Core.Rollup;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>
/// `datahub audit verify`, `audit show` and `audit repair`: check the sealed chain against the anchors kept outside the
/// log, list events, and seal a torn last line (or an accepted loss at the end) with an audited repair.
/// </summary>
internal static class AuditCommands
{
    public static Command Create(CommandEnvironment env)
    {
        var audit = new Command("audit", "Read, verify and repair the audit trail ({root}/audit/audit-log.jsonl).");

        var verifyRoot = CommonOptions.Root();
        var verify = new Command("verify", "Check the sealed chain and the anchors outside the log: any edited, removed, reordered, added-to or cut-off event is reported (exit 2).") { verifyRoot };
        verify.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var root = parse.GetValue(verifyRoot)!;
            var result = await VerifyAsync(new LocalAuditLog(root, env.Time), root, ct);
            Report(env, root, result);
            return result.Intact ? ExitCodes.Ok : ExitCodes.Rejected;
        }));

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
            string? unreadable = null;
            try
            {
                await foreach (var e in log.ReadAsync(ct))
                {
                    if ((p is null || e.Entry.Partner == p) && (f is null || e.Entry.Feed == f))
                    {
                        events.Add(e);
                    }
                }
            }
            catch (AuditLineException ex)
            {
                unreadable = ex.Message;
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
            if (unreadable is not null)
            {
                env.Error.WriteLine($"The log stops being readable after the events shown: {unreadable} Run `datahub audit verify`.");
                return ExitCodes.Rejected;
            }

            return ExitCodes.Ok;
        });

        var repairRoot = CommonOptions.Root();
        var acceptLoss = new Option<bool>("--accept-loss") { Description = "Also record events lost from the log's end (when the audit folder cannot be restored from backup) and continue the chain." };
        var repair = new Command("repair", "Seal a torn last line: keep its bytes in audit/torn/, cut the log back to its last sound event, and record the repair as an audited event.") { repairRoot, acceptLoss };
        repair.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var root = parse.GetValue(repairRoot)!;
            var log = new LocalAuditLog(root, env.Time);
            var before = await VerifyAsync(log, root, ct);
            if (before.Intact)
            {
                env.Output.WriteLine($"Audit chain intact ({before.Message}): nothing to repair.");
                return ExitCodes.Ok;
            }

            if (AuditRepair.Refusal(before, parse.GetValue(acceptLoss)) is { } refusal)
            {
                env.Error.WriteLine($"Audit chain BROKEN at event {before.BrokenAt}: {before.Message}");
                env.Error.WriteLine(refusal);
                return ExitCodes.Rejected;
            }

            var repaired = await log.RepairAsync(before.EndLoss!, ct);
            env.Output.WriteLine($"Repaired as event {repaired.Sequence}: {repaired.Entry.Detail}");
            var after = await VerifyAsync(log, root, ct);
            Report(env, root, after);
            return after.Intact ? ExitCodes.Ok : ExitCodes.Rejected;
        }));

        audit.Subcommands.Add(verify);
        audit.Subcommands.Add(show);
        audit.Subcommands.Add(repair);
        return audit;
    }

    /// <summary>Verifies the root's log against every anchor kept outside it: the anchors file and the published manifests.</summary>
    internal static async Task<AuditVerification> VerifyAsync(LocalAuditLog log, string root, CancellationToken cancellationToken)
    {
        var anchors = await log.Anchors.ReadAsync(cancellationToken).ToListAsync(cancellationToken);
        if (Directory.Exists(Path.Combine(root, "published")))
        {
            anchors.AddRange(await new KpiVersions(new LocalObjectStore(root)).AnchorsAsync(cancellationToken).ToListAsync(cancellationToken));
        }

        return await AuditVerifier.VerifyAsync(log, new LocalAuditKeyProvider(root), anchors, cancellationToken);
    }

    private static void Report(CommandEnvironment env, string root, AuditVerification result)
    {
        var output = result.Intact ? env.Output : env.Error;
        output.WriteLine(result.Intact ? $"Audit chain intact: {result.Message}" : $"Audit chain BROKEN at event {result.BrokenAt}: {result.Message}");
        foreach (var note in result.Notes)
        {
            output.WriteLine($"  note: {note}");
        }

        if (!result.Intact)
        {
            output.WriteLine(result.EndLoss switch
            {
                { OnlyTorn: true } => $"Fix: `datahub audit repair --root {root}` keeps the torn line aside and continues the chain (docs/runbook.md).",
                not null => $"Fix: restore the audit folder from its backup; if there is none, `datahub audit repair --accept-loss --root {root}` records the loss and continues the chain (docs/runbook.md).",
                null => "Fix: restore the audit folder from its backup, then verify again (docs/runbook.md). Treat the change as a possible security incident.",
            });
        }
    }
}
