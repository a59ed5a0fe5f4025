using DataHub.Host.Commands;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>`datahub label`: an operator holding a file's name finds the label the hub recorded it by, under each key version.</summary>
public sealed class LabelCommandTests : IDisposable
{
    private const string Name = "Jane Smith 4857773456.csv";
    private const string Police = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\nI1,2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\n";

    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Prints_the_label_the_hub_recorded_a_file_by_under_each_key_version_without_repeating_the_name()
    {
        await _root.RunAsync("key", "init");
        (await _root.IngestAsync("police", "police-da-incidents", Name, Police)).Code.Should().Be(ExitCodes.Ok);
        var archived = _root.Files("landing/_processed").Should().ContainSingle().Subject;
        var recorded = archived[(archived.LastIndexOf('/') + 1)..];
        recorded.Should().MatchRegex(@"^file-[0-9a-f]{8}\.csv$").And.NotStartWith(UnkeyedLabel.Of(Name));

        await _root.RunAsync("key", "rotate");
        var (code, output) = await _root.RunAsync("label", Name);

        code.Should().Be(ExitCodes.Ok, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().HaveCount(2, "one line per key version");
        lines[0].Should().Be($"name 1\tv1\t{recorded}", "the file was handled under v1");
        lines[1].Should().StartWith("name 1\tv2 (current)\tfile-").And.NotEndWith(recorded);
        output.Should().NotContain("Jane").And.NotContain("4857773456").And.NotContain(UnkeyedLabel.Of(Name));
    }

    [Fact]
    public async Task A_name_beginning_with_an_at_sign_is_labelled_not_read_as_a_response_file_and_echoed()
    {
        await _root.RunAsync("key", "init");

        var (code, output) = await _root.RunAsync("label", "@" + Name);

        code.Should().Be(ExitCodes.Ok, output);
        output.Should().NotContain("Jane").And.NotContain("4857773456");
        output.Trim().Should().MatchRegex(@"^name 1\tv1 \(current\)\tfile-[0-9a-f]{8}\.csv$");
    }

    [Fact]
    public async Task Without_a_key_it_says_what_to_run_and_prints_no_label()
    {
        var (code, output) = await _root.RunAsync("label", Name);

        code.Should().Be(ExitCodes.Configuration);
        output.Should().Contain("datahub key init").And.NotContain("file-").And.NotContain("Jane");
    }
}
