using System.CommandLine;
using System.Globalization;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using DataHub.Host.Embedded;

namespace DataHub.Host.Commands;

/// <summary>`datahub ingest FILE --partner P --feed F`: one file, exactly as IngestExtract would handle it.</summary>
internal static class IngestCommand
{
    public static Command Create(CommandEnvironment env)
    {
        var file = new Argument<FileInfo>("file") { Description = "The CSV or XLSX extract." };
        var partner = new Option<string>("--partner") { Description = "The sending partner (its landing folder name).", Required = true };
        var feed = new Option<string>("--feed") { Description = "The feed (its landing folder name).", Required = true };
        var root = CommonOptions.Root();
        var protocols = CommonOptions.Protocols();

        // Shorter than run's 30 s: an operator is watching and has chosen the file, most often one delivered long before
        // (which does not wait at all); the wait is only there to catch an upload still under way or paused for a moment.
        var settle = CommonOptions.SettleSeconds(
            10,
            "How long FILE must go unwritten, counted from its last write, before it is copied, so that an upload still under way or paused is not taken half-way (a file written earlier is copied at once).");
        var command = new Command("ingest", "Copy FILE to landing/{partner}/{feed}/ and ingest it as IngestExtract would.") { file, partner, feed, root, protocols, settle };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(file)!;
            var rootPath = parse.GetValue(root)!;
            if (!source.Exists)
            {
                // Not the path nor a label of it: labels are keyed, and the hub (with its key) is not open yet.
                env.Error.WriteLine("No file at the path given.");
                return ExitCodes.Usage;
            }

            return await ConfigurationFaults.GuardAsync(env, async () =>
            {
                using var hub = EmbeddedHub.Open(rootPath, parse.GetValue(protocols), env.Time, settings: env.Settings);
                await hub.CheckReadyAsync(pseudonymises: true, ct);
                var label = (await FileLabels.CurrentAsync(hub.Context.Keys, ct)).Label(source.Name);
                await hub.RecoverAsync(ct);
                try
                {
                    var settleTime = TimeSpan.FromSeconds(parse.GetValue(settle));
                    SettleOutcome settled;
                    try
                    {
                        settled = await new SettleWait(env.Time, settleTime).UntilSettledAsync(
                            source,
                            ago => env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} was last written {ago.TotalSeconds:0} s ago: waiting until it has been unchanged for {settleTime.TotalSeconds:0.#} s before it is copied (is an upload still under way?). Ctrl+C stops waiting.")),
                            ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        env.Error.WriteLine($"{label}: stopped waiting for it to settle (Ctrl+C): nothing was ingested or kept.");
                        return ExitCodes.Interrupted;
                    }

                    if (settled == SettleOutcome.Gone)
                    {
                        env.Error.WriteLine($"{label} is no longer at the path given (moved or deleted while waiting for it to settle): nothing was copied.");
                        return ExitCodes.Usage;
                    }

                    if (settled == SettleOutcome.StillChanging)
                    {
                        env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} changed again and again for {SettleWait.Patience * settleTime.TotalSeconds:0.#} s while waiting for it to settle (is it still being written?): nothing was ingested or kept. Ingest it again once it is complete."));
                        return ExitCodes.Failed;
                    }

                    // Ctrl+C does not cut a file short: the one file is finished (stored or quarantined), then the command ends.
                    // It does end a wait for another delivery of the same content, since nothing of this copy is read yet.
                    IngestOutcome outcome;
                    using (var progress = IngestProgressLine.ForConsole(env))
                    {
                        var wait = new SameContentWait(
                            () => env.Error.WriteLine($"{label}: the same content is being ingested by another delivery; waiting for it to end (Ctrl+C stops waiting)."),
                            ct);
                        outcome = await hub.DropAndIngestAsync(source.FullName, parse.GetValue(partner)!, parse.GetValue(feed)!, progress, CancellationToken.None, wait);
                    }

                    if (outcome.Status == IngestStatus.InProgress && ct.IsCancellationRequested)
                    {
                        env.Output.WriteLine($"{outcome.SafeLandingPath}: stopped waiting for the other delivery of the same content (Ctrl+C). This copy stays in landing; `datahub run` handles it once that delivery ends.");
                        return ExitCodes.Interrupted;
                    }

                    env.Output.WriteLine(EmbeddedRunner.Describe(outcome));
                    return CodeFor(outcome);
                }
                catch (SourceChangedException)
                {
                    env.Error.WriteLine($"{label} changed while it was copied into landing (is it still being written?): nothing was ingested or kept. Ingest it again once it is complete.");
                    return ExitCodes.Failed;
                }
                catch (LandingNameTakenException)
                {
                    env.Error.WriteLine($"{label} was not copied: a different file of the same name is already waiting in that partner and feed's landing folder, and was left as it is (`datahub run` will ingest it). "
                        + "Find out what it is first (`datahub label NAME`, then `datahub audit show --partner P`): if it is an earlier copy of this delivery, let it be handled and do not send this one too; "
                        + "only if both are deliveries of their own, give this file another name and ingest it again.");
                    return ExitCodes.Usage;
                }
                catch (ObjectRefusedException ex)
                {
                    env.Error.WriteLine($"{label} was not read: {ex.Reason}");
                    return ExitCodes.Rejected;
                }
            });
        });
        return command;
    }

    /// <summary>The exit code for an outcome.</summary>
    public static int CodeFor(IngestOutcome outcome) => outcome.Status switch
    {
        IngestStatus.Stored or IngestStatus.StoredWithRowErrors or IngestStatus.Duplicate or IngestStatus.InProgress or IngestStatus.Ignored => ExitCodes.Ok,
        IngestStatus.Quarantined or IngestStatus.Refused => ExitCodes.Rejected,
        IngestStatus.Failed when outcome.Rule == "key.unavailable" => ExitCodes.Configuration,
        _ => ExitCodes.Failed,
    };
}
