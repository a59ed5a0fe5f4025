using System.CommandLine;
using System.Globalization;
using Azure.Core;
using Azure.Identity;
using DataHub.Core.Audit;
using DataHub.Core.Storage;
using DataHub.Storage.Azure;
using DataHub.Storage.Local;

namespace DataHub.Host.Commands;

/// <summary>
/// `datahub audit verify`, `audit show` and `audit repair`: check the sealed chain against the anchors kept outside the
/// log, list events, and seal a torn last line (or an accepted loss at the end) with an audited repair. Each works on an
/// embedded root, or with --azure on the Azure hub's audit table, anchors and published manifests, reached through the
/// same app settings the Function App reads (taken from the environment).
/// </summary>
internal static class AuditCommands
{
    public static Command Create(CommandEnvironment env)
    {
        var audit = new Command("audit", "Read, verify and repair the audit trail ({root}/audit/audit-log.jsonl, or with --azure the Azure audit table).");

        var verifyRoot = CommonOptions.Root();
        var verifyAzure = AzureOption();
        var verify = new Command("verify", "Check the sealed chain and the anchors outside the log: any edited, removed, reordered, added-to or cut-off event is reported (exit 2).") { verifyRoot, verifyAzure };
        verify.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var site = Site(env, parse.GetValue(verifyRoot)!, parse.GetValue(verifyAzure));
            var result = await site.VerifyAsync(ct);
            Report(env, site, result);
            return result.Intact ? ExitCodes.Ok : ExitCodes.Rejected;
        }));

        var showRoot = CommonOptions.Root();
        var showAzure = AzureOption();
        var last = new Option<int>("--last") { Description = "Show only the last N events (0 for all).", DefaultValueFactory = _ => 50 };
        var partner = new Option<string?>("--partner") { Description = "Only events about this partner." };
        var feed = new Option<string?>("--feed") { Description = "Only events about this feed." };
        var show = new Command("show", "List audit events: time, kind, partner, feed, agreement, rule, the path it names (a file by its label), the key version that label was made under, counts.") { showRoot, showAzure, last, partner, feed };
        show.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var log = Site(env, parse.GetValue(showRoot)!, parse.GetValue(showAzure)).Log;
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
            catch (FormatException ex)
            {
                unreadable = ex.Message;
            }

            var n = parse.GetValue(last);
            var shown = n > 0 ? events.Skip(Math.Max(0, events.Count - n)) : events;
            new Terminal(env.Output).Table(
                ["seq", "time (UTC)", "kind", "partner", "feed", "agreement", "rule", "path", "label key", "counts", "detail"],
                shown.Select(e => (IReadOnlyList<string>)
                [
                    e.Sequence.ToString(CultureInfo.InvariantCulture),
                    e.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    e.Entry.Kind,
                    e.Entry.Partner ?? string.Empty,
                    e.Entry.Feed ?? string.Empty,
                    e.Entry.Agreement ?? string.Empty,
                    e.Entry.Rule ?? string.Empty,
                    // The safe path the event was sealed with (labels, never a partner's name): how the runbook finds a file in quarantine or a batch's mart files.
                    e.Entry.Path ?? string.Empty,
                    // The key version the path's label was made under (a received event's): which label generation the file had.
                    e.Entry.LabelKeyVersion ?? string.Empty,
                    e.Entry.Counts is null ? string.Empty : string.Join(' ', e.Entry.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")),
                    e.Entry.Detail ?? string.Empty,
                ]));
            if (unreadable is not null)
            {
                env.Error.WriteLine($"The log stops being readable after the events shown: {unreadable} Run `datahub audit verify`.");
                return ExitCodes.Rejected;
            }

            return ExitCodes.Ok;
        }));

        var repairRoot = CommonOptions.Root();
        var repairAzure = AzureOption();
        var acceptLoss = new Option<bool>("--accept-loss") { Description = "Also record events lost from the log's end, or every anchor lost (when the audit log or its anchors cannot be restored from backup), and continue the chain." };
        var repair = new Command("repair", "Seal a torn last line: keep its bytes in audit/torn/, cut the log back to its last sound event, and record the repair as an audited event.") { repairRoot, repairAzure, acceptLoss };
        repair.SetAction((parse, ct) => ConfigurationFaults.GuardAsync(env, async () =>
        {
            var site = Site(env, parse.GetValue(repairRoot)!, parse.GetValue(repairAzure));
            var before = await site.VerifyAsync(ct);
            if (before.Intact)
            {
                env.Output.WriteLine($"Audit chain intact ({before.Message}): nothing to repair.");
                return ExitCodes.Ok;
            }

            if (AuditRepair.Refusal(before, parse.GetValue(acceptLoss), site.Target) is { } refusal)
            {
                env.Error.WriteLine($"Audit chain BROKEN at event {before.BrokenAt}: {before.Message}");
                env.Error.WriteLine(refusal);
                return ExitCodes.Rejected;
            }

            var repaired = await site.Log.RepairAsync(before.EndLoss!, ct);
            env.Output.WriteLine($"Repaired as event {repaired.Sequence}: {repaired.Entry.Detail}");
            var after = await site.VerifyAsync(ct);
            Report(env, site, after);
            return after.Intact ? ExitCodes.Ok : ExitCodes.Rejected;
        }));

        OneTrail(verify, verifyRoot, verifyAzure);
        OneTrail(show, showRoot, showAzure);
        OneTrail(repair, repairRoot, repairAzure);
        audit.Subcommands.Add(verify);
        audit.Subcommands.Add(show);
        audit.Subcommands.Add(repair);
        return audit;
    }

    // --root has a default, so only a --root the operator typed can contradict --azure.
    private static void OneTrail(Command command, Option<string> root, Option<bool> azure) =>
        command.Validators.Add(result =>
        {
            if (result.GetResult(azure) is { Implicit: false } && result.GetValue(azure) && result.GetResult(root) is { Implicit: false })
            {
                result.AddError("--azure and --root name two different audit trails: give one of them.");
            }
        });

    private static Option<bool> AzureOption() => new("--azure")
    {
        Description = "Work on the Azure hub's audit table and anchors, reached through the app settings in the environment (docs/runbook.md), instead of --root.",
    };

    /// <summary>The embedded root's audit, or with <paramref name="azure"/> the Azure hub's.</summary>
    /// <exception cref="SettingsException">The Azure app settings are incomplete (a configuration fault: exit 3).</exception>
    private static AuditSite Site(CommandEnvironment env, string root, bool azure)
    {
        if (!azure)
        {
            var log = new LocalAuditLog(root, env.Time);

            // Opening the object store makes the root's folders; a root that has never stored or published has no records to read.
            IObjectStore? published = Directory.Exists(Path.Combine(root, "published")) || Directory.Exists(Path.Combine(root, "secure")) ? new LocalObjectStore(root) : null;
            return new AuditSite(new AuditTrail(log, new LocalAuditKeyProvider(root), log.Anchors, published, new LocalReceiptStore(root), env.Time), $"--root {root}");
        }

        var settings = new AzureAppSettings(env.Variables);
        var clients = new AzureClientSettings();

        // The operator's own sign-in (az login, or a managed identity where the command runs): no key or connection string.
        Func<TokenCredential> credential = () => new DefaultAzureCredential();
        try
        {
            var storage = settings.Storage(clients, credential);
            var keys = settings.AuditKeys(env.Time, clients, credential);
            var anchors = storage.Anchors();
            return new AuditSite(new AuditTrail(storage.AuditLog(keys, anchors, env.Time), keys, anchors, storage.ObjectStore(), storage.Receipts(), env.Time), "--azure");
        }
        catch (Exception ex) when (ex is InvalidOperationException or UriFormatException)
        {
            throw new SettingsException($"{ex.Message} `--azure` reads the Function App's settings from the environment (docs/runbook.md).", ex);
        }
    }

    private static void Report(CommandEnvironment env, AuditSite site, AuditVerification result)
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
                { AnchorsLostFrom: { } store, EventsLost: true } => $"Fix: restore the audit log and its anchors ({store}) from their backup; if there is none, `datahub audit repair --accept-loss {site.Target}` records both losses (the log's end and the anchors) in the audit log and anchors it afresh (docs/runbook.md).",
                { AnchorsLostFrom: { } store } => $"Fix: restore the anchors ({store}) from their backup; if there is none, `datahub audit repair --accept-loss {site.Target}` records their loss in the audit log and anchors it afresh (docs/runbook.md).",
                { OnlyTorn: true } => $"Fix: `datahub audit repair {site.Target}` keeps the torn line aside and continues the chain (docs/runbook.md).",
                { Torn: true, RecordsUnaccounted: > 0 } => $"Fix: if a crash explains it (a power cut or a full disk that tore the event recording a batch's commit or a publication), `datahub audit repair --accept-loss {site.Target}` records the loss with the records' count; otherwise restore the audit log from its backup (docs/runbook.md).",
                not null => $"Fix: restore the audit log from its backup; if there is none, `datahub audit repair --accept-loss {site.Target}` records the loss and continues the chain (docs/runbook.md).",
                null => "Fix: restore the audit log and its anchors from their backup, then verify again (docs/runbook.md). Treat the change as a possible security incident.",
            });
        }
    }

    /// <summary>An audit trail and the option that names it in fix-it messages ("--root DIR" or "--azure").</summary>
    private sealed record AuditSite(AuditTrail Trail, string Target)
    {
        public IAuditLog Log => Trail.Log;

        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => Trail.VerifyAsync(cancellationToken);
    }
}
