using System.Diagnostics;
using System.Text;
using DataHub.Core.Hub;
using DataHub.Host.Commands;
using DataHub.Host.Embedded;
using DataHub.Parquet;

namespace DataHub.EndToEnd.Tests;

/// <summary>The command line's contracts: no default key, validate stores nothing, audit verify catches tampering.</summary>
public sealed class CommandTests : IDisposable
{
    private const string Police = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\nI1,2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\n";
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Ingest_refuses_to_run_without_a_key_and_stores_nothing()
    {
        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "a.csv", Police);
        code.Should().Be(ExitCodes.Configuration);
        output.Should().Contain("key init");
        _root.Files("secure").Should().BeEmpty();
        _root.Files("keys").Should().BeEmpty("there is never a built-in or implicit key");
    }

    [Fact]
    public async Task An_unexpected_storage_failure_ends_with_exit_4_naming_no_file_and_the_file_left_in_landing()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        // The audit head cannot be written (as on a full disk): the hub's own storage fails, not the input or the configuration.
        Directory.CreateDirectory(Path.Combine(_root.Path, "audit", "audit-head.json.tmp"));

        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "Zebedee Quillfeather 02-03-1981.csv", Police);

        code.Should().Be(ExitCodes.Failed, output);
        output.Should().NotContain("Zebedee").And.NotContain("1981").And.NotContain("Unhandled exception");
        _root.Files("landing").Should().ContainSingle("the file waits in landing for the next attempt");
        _root.Files("secure").Should().BeEmpty();
    }

    [Fact]
    public async Task An_exception_no_command_handles_is_named_by_its_type_only_and_ends_with_exit_4()
    {
        // Library and storage exceptions quote paths, and a landing path can hold a partner's file name; nothing the
        // commands leave unhandled may reach the console as its message or stack trace.
        using var output = new StringWriter();
        var env = new CommandEnvironment(output, output, TimeProvider.System)
        {
            Variables = _ => throw new DataHub.Core.Storage.ObjectNotFoundException("landing/police/police-da-incidents/Zebedee Quillfeather 4857773456.csv"),
        };

        var code = await DataHub.Host.Program.RunAsync(["audit", "verify", "--azure"], env);

        code.Should().Be(ExitCodes.Failed, output.ToString());
        output.ToString().Should().Contain("ObjectNotFoundException").And.NotContain("Zebedee").And.NotContain("4857773456").And.NotContain(" at DataHub.");
    }

    [Fact]
    public async Task A_batch_manifests_folder_the_hub_cannot_open_ends_with_exit_4_and_the_folders_own_message()
    {
        // Its message names only the hub's folder and the fix; shown, not reduced to its type as an unexpected failure is.
        using var output = new StringWriter();
        var env = new CommandEnvironment(output, output, TimeProvider.System)
        {
            Variables = _ => throw DataHub.Core.Marts.DamagedManifestException.FolderUnreachable(
                "secure/police-da-incidents/_batches",
                new DataHub.Core.Storage.ObjectUnreachableException("secure/police-da-incidents/_batches", DataHub.Core.Storage.UnreachableCause.AccessDenied, DataHub.Storage.Local.LocalObjectStore.AccessRemedy)),
        };

        var code = await DataHub.Host.Program.RunAsync(["audit", "verify", "--azure"], env);

        code.Should().Be(ExitCodes.Failed, output.ToString());
        output.ToString().Should().Contain("'secure/police-da-incidents/_batches' is a batch manifests folder").And.Contain("chmod u+rx")
            .And.NotContain("unexpected").And.NotContain(" at DataHub.");
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("validate")]
    public async Task A_second_file_given_by_mistake_is_a_usage_error_naming_it_by_its_place_never_its_name(string command)
    {
        // `datahub ingest drop/*.csv …`: the shell hands over every partner file in the folder, and a partner's file name
        // may name a person. The parser's own report quoted each token it could not place.
        var first = Path.Combine(_root.Inputs, "a.csv");
        var second = Path.Combine(_root.Inputs, "Zebedee Quillfeather 4857773456.csv");
        string[] args = command == "ingest"
            ? ["ingest", first, second, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path]
            : ["validate", first, second, "--feed", "police-da-incidents"];
        using var output = new StringWriter();

        var code = await DataHub.Host.Program.RunAsync(args, new CommandEnvironment(output, output, _root.Clock));

        code.Should().Be(ExitCodes.Usage, output.ToString());
        output.ToString().Should().Contain("argument 3").And.Contain("--feed", "the command's help is still shown")
            .And.NotContain("Zebedee").And.NotContain("4857773456");
    }

    [Theory]
    [InlineData("ingest", "in.csv", "--partner", "police", "--feed", "police-da-incidents", "--settle-seconds=Zqxwyvname")]
    [InlineData("ingest", "in.csv", "--partner", "police", "--feed", "police-da-incidents", "--settle-seconds:Zqxwyvname")]
    [InlineData("run", "--poll-seconds=Zqxwyvname")]
    [InlineData("demo", "--families=Zqxwyvname")]
    [InlineData("parquet", "head", "x.parquet", "--rows=Zqxwyvname")]
    [InlineData("parquet", "head", "x.parquet", "-nZqxwyvname")]
    [InlineData("parquet", "head", "x.parquet", "-n:Zqxwyvname")]
    [InlineData("audit", "show", "--last=Zqxwyvname")]
    [InlineData("audit", "verify", "--azure=Zqxwyvname")]
    [InlineData("audit", "repair", "--accept-loss=Zqxwyvname")]
    [InlineData("key", "rotate", "--audit=Zqxwyvname")]
    [InlineData("rollup", "--all=Zqxwyvname")]
    public async Task A_value_attached_to_an_option_is_never_repeated_in_a_usage_error(params string[] args)
    {
        // The parser splits "--rows=VALUE" (and "-nVALUE", "-n:VALUE") and quotes the value alone: it is in no argument as typed.
        var (code, output) = await _root.RunAsync(args);

        code.Should().Be(ExitCodes.Usage, output);
        output.Should().NotContainEquivalentOf("Zqxwy").And.Contain(FormattableString.Invariant($"[argument {args.Length}]"));
    }

    [Fact]
    public async Task No_usage_error_of_any_command_repeats_a_value_attached_to_any_of_its_options()
    {
        // Every option of every command, as --option=VALUE, --option:VALUE and, for a short alias, -oVALUE: whatever the
        // parser cannot take, its report must not hold the value.
        var root = DataHub.Host.Program.CommandLine(new CommandEnvironment(TextWriter.Null, TextWriter.Null, _root.Clock));
        var refused = 0;
        foreach (var (path, option) in Options(root, []))
        {
            var forms = option.Aliases.Append(option.Name).SelectMany(n => n.StartsWith("--", StringComparison.Ordinal) ? [$"{n}=Zqxwyvname", $"{n}:Zqxwyvname"] : new[] { $"{n}Zqxwyvname", $"{n}:Zqxwyvname" });
            foreach (var form in forms)
            {
                string[] args = [.. path, form];
                var parsed = DataHub.Host.Program.Parse(root, args);
                if (parsed.Errors.Count == 0)
                {
                    continue;
                }

                using var output = new StringWriter();
                (await DataHub.Host.UsageErrors.ReportAsync(root, parsed, args, new System.CommandLine.InvocationConfiguration { Output = output, Error = output }, output)).Should().Be(ExitCodes.Usage);
                output.ToString().Should().NotContainEquivalentOf("Zqxwy", string.Join(' ', args));
                refused++;
            }
        }

        refused.Should().BeGreaterThan(30, "most options take no such value, or need the command's arguments first");

        static IEnumerable<(string[] Path, System.CommandLine.Option Option)> Options(System.CommandLine.Command command, string[] path) =>
            command.Options.Where(o => o.Name is not ("--help" or "--version")).Select(o => (path, o))
                .Concat(command.Subcommands.SelectMany(sub => Options(sub, [.. path, sub.Name])));
    }

    [Fact]
    public async Task A_file_given_twice_is_named_by_the_place_of_the_copy_the_parser_could_not_take()
    {
        var file = Path.Combine(_root.Inputs, "a.csv");

        var (code, output) = await _root.RunAsync("ingest", file, file, "--partner", "police", "--feed", "police-da-incidents");

        code.Should().Be(ExitCodes.Usage, output);
        output.Should().Contain("[argument 3]").And.NotContain("[argument 2]").And.NotContain("a.csv");
    }

    [Fact]
    public async Task A_usage_error_from_a_validator_keeps_its_words_when_an_argument_is_one_of_them()
    {
        // The value of --root is "root", which the message holds only as part of the option's own name "--root".
        using var output = new StringWriter();

        var code = await DataHub.Host.Program.RunAsync(["audit", "verify", "--root", "root", "--azure:true"], new CommandEnvironment(output, output, _root.Clock));

        code.Should().Be(ExitCodes.Usage, output.ToString());
        output.ToString().Should().Contain("--azure and --root name two different audit trails");
    }

    [Fact]
    public void A_typed_argument_a_message_holds_unquoted_is_withheld_and_the_rest_of_the_message_kept()
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { "ingest", "--feed" };

        var message = DataHub.Host.UsageErrors.Withhold("The file Zqxwyvname.csv for --feed was not read.", ["ingest", "Zqxwyvname.csv", "--feed"], names);

        message.Should().Be("The file [argument 2] for --feed was not read.");

        // A value holding a command's name as a word is withheld whole, not kept for the name it holds.
        DataHub.Host.UsageErrors.Withhold("Cannot use Zqxwy report here.", ["audit", "Zqxwy report"], new HashSet<string>(StringComparer.Ordinal) { "audit", "report" })
            .Should().Be("Cannot use [argument 2] here.");
    }

    [Fact]
    public async Task A_settle_time_that_is_not_a_number_is_a_usage_error_without_the_value()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);

        var (code, output) = await _root.RunAsync("ingest", Path.Combine(_root.Inputs, "a.csv"), "--partner", "police", "--feed", "police-da-incidents", "--settle-seconds", "Quillfeather");

        code.Should().Be(ExitCodes.Usage, output);
        output.Should().Contain("--settle-seconds").And.NotContain("Quillfeather");
    }

    [Fact]
    public async Task Audit_on_azure_without_an_azure_sign_in_exits_3_saying_to_sign_in()
    {
        // An operator who has not run `az login` (DefaultAzureCredential finds no identity) has configuration to put right,
        // as the runbook says: not an unexpected failure, and no file is being ingested.
        using var output = new StringWriter();
        var env = new CommandEnvironment(output, output, TimeProvider.System)
        {
            Variables = _ => throw new Azure.Identity.CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials."),
        };

        var code = await DataHub.Host.Program.RunAsync(["audit", "verify", "--azure"], env);

        code.Should().Be(ExitCodes.Configuration, output.ToString());
        output.ToString().Should().Contain("az login").And.NotContain("stays in landing");
    }

    [Fact]
    public async Task Ingest_leaves_a_different_file_of_the_same_name_waiting_in_landing_as_it_is()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        // A partner's delivery waits in landing for `datahub run`; an operator then ingests another file that happens to
        // carry its name. The waiting delivery has no receipt yet: overwriting it would lose it without a trace.
        var waiting = Path.Combine(_root.Path, "landing", "police", "police-da-incidents", "Zebedee Quillfeather.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(waiting)!);
        var delivered = Encoding.UTF8.GetBytes(Police + "I2,2018-02-04,victim,Zoe,Oneil,2011-05-12,F,N,N\n");
        await File.WriteAllBytesAsync(waiting, delivered);

        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "Zebedee Quillfeather.csv", Police);

        code.Should().Be(ExitCodes.Usage, output);
        output.Should().Contain(_root.Label("Zebedee Quillfeather.csv")).And.NotContain("Zebedee");
        File.ReadAllBytes(waiting).Should().Equal(delivered, "the waiting delivery is the partner's, not the command's to replace");
        _root.Files("secure").Should().BeEmpty();
        _root.Files("receipts").Should().BeEmpty("neither file was claimed");
    }

    [Fact]
    public async Task Demo_on_a_root_holding_another_file_under_a_demo_name_writes_nothing_and_leaves_that_file_as_it_is()
    {
        // The demo given a real root by mistake: a partner's delivery waiting under one of the demo's (fixed) names has no
        // receipt yet, so replacing it would lose it without a trace.
        var demoFile = DataHub.Seeds.SyntheticHub.Generate(new DataHub.Seeds.SeedOptions { Families = 2 }).Files[^1];
        var waiting = Path.Combine(_root.Path, "landing", demoFile.Partner, demoFile.Feed, demoFile.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(waiting)!);
        var delivered = Encoding.UTF8.GetBytes("a partner's own delivery\n");
        await File.WriteAllBytesAsync(waiting, delivered);

        var (code, output) = await _root.RunAsync("demo", "--families", "2");

        code.Should().Be(ExitCodes.Usage, output);
        output.Should().Contain("new --root");
        File.ReadAllBytes(waiting).Should().Equal(delivered);
        _root.Files("landing").Should().ContainSingle("the demo stopped before writing any of its files");
        _root.Files("secure").Should().BeEmpty();
    }

    [Fact]
    public async Task Demo_takes_its_own_file_already_waiting_in_landing()
    {
        // A demo interrupted after writing a file into landing, then run again: the same content waiting is the demo's own.
        var demoFile = DataHub.Seeds.SyntheticHub.Generate(new DataHub.Seeds.SeedOptions { Families = 2 }).Files[0];
        var waiting = Path.Combine(_root.Path, "landing", demoFile.Partner, demoFile.Feed, demoFile.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(waiting)!);
        await File.WriteAllBytesAsync(waiting, demoFile.Content);

        var (code, output) = await _root.RunAsync("demo", "--families", "2");

        code.Should().Be(ExitCodes.Ok, output);
        _root.Files("landing").Should().OnlyContain(f => f.StartsWith("landing/_processed/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ingest_of_a_file_still_being_written_stores_nothing_of_it()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        // An operator ingests an extract the partner's upload is still writing: a copy of what is there so far would be
        // stored as the whole delivery (exit 0, the cut last row a row error), and the complete file later a second batch.
        var file = Path.Combine(_root.Inputs, "incidents.csv");
        await File.WriteAllTextAsync(file, Police);
        using var stop = new CancellationTokenSource();
        var upload = Upload(file, burst: 1, pause: TimeSpan.FromMilliseconds(50), stop.Token);

        // In a process of its own, as an operator runs it beside the upload, on the real clock the upload writes by.
        var started = Stopwatch.StartNew();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path, "--settle-seconds", "2");
        var took = started.Elapsed;
        await stop.CancelAsync();
        await upload;

        code.Should().Be(ExitCodes.Failed, output);
        output.Should().Contain("changed again and again").And.Contain("still being written").And.Contain(_root.Label("incidents.csv")).And.NotContain("incidents.csv");
        took.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(SettleWait.Patience * 2), "it waits ten settle times for the upload to end before giving up");
        _root.Files("secure").Should().BeEmpty("a file cut short by the copy is no delivery");
        _root.Files("landing").Should().BeEmpty("the torn copy never lands");
        _root.Files("receipts").Should().BeEmpty();
    }

    [Fact]
    public async Task Ingest_of_an_upload_that_pauses_between_bursts_stores_the_whole_delivery_once_it_has_ended()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        // An upload writing in bursts, 300 ms apart: a copy made between two bursts sees no change while it copies, and
        // would be stored as the whole delivery. The upload goes on until the ingest has shown it is waiting (or has ended).
        var file = Path.Combine(_root.Inputs, "incidents.csv");
        await File.WriteAllTextAsync(file, Police);
        using var stop = new CancellationTokenSource();
        var upload = Upload(file, burst: 200, pause: TimeSpan.FromMilliseconds(300), stop.Token);

        using var ingest = CliProcess.Start("ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path);
        await Until(() => ingest.Output.Contains("unchanged for", StringComparison.Ordinal) || ingest.HasExited, "the ingest to wait for the upload, or to end", TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        var rows = await upload;
        var code = await ingest.WaitAsync(TimeSpan.FromMinutes(2));

        code.Should().Be(ExitCodes.Ok, ingest.Output);
        ingest.Output.Should().Contain($"{rows} rows stored, 0 rejected", "the delivery is stored whole, not as far as it had got when the command started")
            .And.Contain(_root.Label("incidents.csv")).And.NotContain("incidents.csv");
        _root.Files("receipts").Where(f => f.EndsWith(".json", StringComparison.Ordinal)).Should().ContainSingle("one delivery, one batch");
    }

    [Fact]
    public async Task Ingest_of_a_file_written_just_before_waits_until_it_has_gone_unwritten_for_the_settle_time()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_root.Inputs, "Zebedee Quillfeather.csv");
        await File.WriteAllTextAsync(file, Police);
        File.SetLastWriteTimeUtc(file, (_root.Clock.GetUtcNow() - TimeSpan.FromSeconds(1)).UtcDateTime); // a second ago, by the command's clock
        using var written = new StringWriter();
        var console = TextWriter.Synchronized(written);
        var env = new CommandEnvironment(console, console, _root.Clock, new IngestSettings { MartCompression = ParquetCompression.Uncompressed });
        string Printed()
        {
            lock (console)
            {
                return written.ToString();
            }
        }

        var ingest = DataHub.Host.Program.RunAsync(["ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path], env);
        await Until(() => Printed().Contains("unchanged for", StringComparison.Ordinal) || ingest.IsCompleted, "the ingest to say it waits");
        await Task.Delay(TimeSpan.FromSeconds(1));
        ingest.IsCompleted.Should().BeFalse("the clock has not moved: the file has not gone unwritten for the settle time yet, {0}", Printed());
        _root.Files("landing").Should().BeEmpty("nothing is copied while it waits");

        _root.Clock.Advance(TimeSpan.FromSeconds(10));
        var code = await ingest.WaitAsync(TimeSpan.FromMinutes(1));

        code.Should().Be(ExitCodes.Ok, Printed());
        Printed().Should().Contain($"{_root.Label("Zebedee Quillfeather.csv")} was last written 1 s ago: waiting until it has been unchanged for 10 s")
            .And.Contain("1 rows stored").And.NotContain("Zebedee");
    }

    [Fact]
    public async Task Ingest_of_a_file_moved_away_while_it_waits_to_settle_copies_nothing_and_says_so()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_root.Inputs, "Zebedee Quillfeather.csv");
        await File.WriteAllTextAsync(file, Police);
        File.SetLastWriteTimeUtc(file, _root.Clock.GetUtcNow().UtcDateTime); // just written, by the command's clock
        using var written = new StringWriter();
        var console = TextWriter.Synchronized(written);
        var env = new CommandEnvironment(console, console, _root.Clock, new IngestSettings { MartCompression = ParquetCompression.Uncompressed });

        var ingest = DataHub.Host.Program.RunAsync(["ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path], env);
        await Until(() => ingest.IsCompleted || Printed().Contains("unchanged for", StringComparison.Ordinal), "the ingest to say it waits");
        File.Move(file, file + ".moved");
        var code = await ingest.WaitAsync(TimeSpan.FromMinutes(1));

        code.Should().Be(ExitCodes.Usage, Printed());
        Printed().Should().Contain("no longer at the path given").And.NotContain("Zebedee").And.NotContain("link");
        _root.Files("landing").Should().BeEmpty();
        _root.Files("receipts").Should().BeEmpty();

        string Printed()
        {
            lock (console)
            {
                return written.ToString();
            }
        }
    }

    [Fact]
    public async Task Ingest_of_a_file_written_longer_ago_than_the_settle_time_does_not_wait()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_root.Inputs, "incidents.csv");
        await File.WriteAllTextAsync(file, Police);
        File.SetLastWriteTimeUtc(file, (_root.Clock.GetUtcNow() - TimeSpan.FromSeconds(11)).UtcDateTime);

        // The clock stands still: a wait would never end (until it gave up, exit 4).
        var (code, output) = await _root.RunAsync("ingest", file, "--partner", "police", "--feed", "police-da-incidents");

        code.Should().Be(ExitCodes.Ok, output);
        output.Should().NotContain("unchanged for").And.Contain("1 rows stored");
    }

    [Fact]
    public async Task Ctrl_c_while_ingest_waits_for_a_file_to_settle_exits_130_and_nothing_lands()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_root.Inputs, "incidents.csv");
        await File.WriteAllTextAsync(file, Police);

        using var ingest = CliProcess.Start("ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path, "--settle-seconds", "600");
        await Until(() => ingest.Output.Contains("unchanged for", StringComparison.Ordinal) || ingest.HasExited, "the ingest to wait for the file to settle", TimeSpan.FromMinutes(2));
        ingest.Interrupt();
        var code = await ingest.WaitAsync(TimeSpan.FromMinutes(1));

        code.Should().Be(ExitCodes.Interrupted, ingest.Output);
        ingest.Output.Should().Contain("stopped waiting");
        _root.Files("landing").Should().BeEmpty();
        _root.Files("secure").Should().BeEmpty();
        _root.Files("receipts").Should().BeEmpty();
    }

    [Fact]
    public async Task Key_init_refuses_to_overwrite_an_existing_key()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var before = File.ReadAllBytes(Path.Combine(_root.Path, "keys", "datahub-key.json"));
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Configuration);
        File.ReadAllBytes(Path.Combine(_root.Path, "keys", "datahub-key.json")).Should().Equal(before);
    }

    [Fact]
    public async Task Validate_reports_row_errors_and_stores_nothing()
    {
        var file = Path.Combine(_root.Inputs, "v.csv");
        await File.WriteAllTextAsync(file, Police + "I2,2018-02-30,victim,Zoe,Oneil,2011-05-12,F,N,N\n");
        using var output = new StringWriter();
        var code = await DataHub.Host.Program.RunAsync(["validate", file, "--feed", "police-da-incidents"], new CommandEnvironment(output, output, _root.Clock));
        code.Should().Be(ExitCodes.Rejected);
        output.ToString().Should().Contain("date.impossible").And.Contain("1 rejected");
        Directory.EnumerateFileSystemEntries(_root.Path).Should().BeEmpty("validate touches no hub folder");
    }

    [Fact]
    public async Task Ingest_of_content_already_stored_says_its_copy_went_to_the_raw_archive_where_it_is()
    {
        await _root.RunAsync("key", "init");
        (await _root.IngestAsync("police", "police-da-incidents", "a.csv", Police)).Code.Should().Be(ExitCodes.Ok);

        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "b.csv", Police);

        code.Should().Be(ExitCodes.Ok, output);
        _root.Files("landing").Should().ContainSingle(f => f.Contains(".duplicate-", StringComparison.Ordinal))
            .Which.Should().StartWith("landing/_processed/police/police-da-incidents/");
        output.Should().Contain("Duplicate").And.Contain("raw archive", "the operator is told where the copy went, not that nothing was done").And.NotContain("nothing was done");
    }

    [Fact]
    public async Task Audit_show_lists_the_path_each_event_names_so_a_refused_file_is_found_in_quarantine_by_it()
    {
        // The runbook finds a refused file's quarantine copy, a superseded file's label and a batch's mart files from the
        // events `audit show` lists: the safe path an event names (a label, never the partner's name) must be among them.
        await _root.RunAsync("key", "init");
        (await _root.IngestAsync("nobody", "police-da-incidents", "Zebedee Quillfeather.csv", Police)).Code.Should().Be(ExitCodes.Rejected);
        var kept = _root.Files("quarantine").Should().ContainSingle(f => f.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal) && !f.Contains(".report.", StringComparison.Ordinal)).Subject;

        var (code, shown) = await _root.RunAsync("audit", "show", "--last", "0");

        code.Should().Be(ExitCodes.Ok, shown);
        shown.Split('\n').Should().ContainSingle(l => l.Contains("protocol.unknown_partner", StringComparison.Ordinal))
            .Which.Should().Contain(kept);
        shown.Should().NotContain("Zebedee").And.NotContain("nobody");
    }

    [Fact]
    public async Task Audit_verify_passes_after_ingest_and_fails_after_an_event_is_edited()
    {
        await _root.RunAsync("key", "init");
        (await _root.IngestAsync("police", "police-da-incidents", "a.csv", Police)).Code.Should().Be(ExitCodes.Ok);
        (await _root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
        var show = await _root.RunAsync("audit", "show");
        show.Output.Should().Contain("protocol_decision").And.Contain("DSA-FS-2024-POL-01");

        var log = Path.Combine(_root.Path, "audit", "audit-log.jsonl");
        var lines = File.ReadAllLines(log);
        lines[2] = lines[2].Replace("\"rows_accepted\":1", "\"rows_accepted\":2", StringComparison.Ordinal).Replace("police", "p0lice", StringComparison.Ordinal);
        File.WriteAllLines(log, lines);
        var (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Rejected);
        output.Should().Contain("BROKEN");
    }

    // An upload still under way: appends a burst of rows to the file, then pauses, until stopped; returns how many rows the file then holds.
    private static Task<int> Upload(string file, int burst, TimeSpan pause, CancellationToken stop) => Task.Factory.StartNew(
        () =>
        {
            using var uploading = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var rows = 1;
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < burst; i++)
                {
                    rows++;
                    uploading.Write(Encoding.UTF8.GetBytes($"I{rows},2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\n"));
                }

                uploading.Flush();
                Thread.Sleep(pause);
            }

            return rows;
        },
        TaskCreationOptions.LongRunning);

    private static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(1));
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"waiting for {what}");
            await Task.Delay(20);
        }
    }
}
