using DataHub.Host.Commands;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 3, acceptance 5: tokens link the same person across feeds under one key, and only under that key.</summary>
public sealed class LinkageTests : IDisposable
{
    private readonly HubRoot _root = new();
    private readonly HubRoot _otherKey = new();

    public void Dispose()
    {
        _root.Dispose();
        _otherKey.Dispose();
    }

    private const string Nhs = "9434765919";
    private const string UpnValue = "A801200200012";

    private static string CscPeople(string upn) =>
        "family_key,person_id,referral_key,nhs_number,upn,forename,surname,date_of_birth,sex,ethnicity,relationship,fs_start_date,fs_end_date,fs_team,referral_start_date,referral_category_of_need,referral_end_date,previous_referrals,uasc,cwd,worked_with\n" +
        $"F1,P1,R1,{Nhs},{upn},Zoë,O'Neil,12/05/2011,F,WBRI,child,2018-01-10,,North,2017-12-01,N1,,0,N,N,N\n";

    private const string MentalHealth = "nhs_number,forename,surname,date_of_birth,sex,instrument,stage,score_date,score\n" +
        "943 476 5919,ZOE,Oneil,2011-05-12,F,PHQ9,initial,2018-02-01,14\n";

    private const string Police = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\n" +
        "I1,2018-02-03,victim,zoe ann,O NEIL,2011-05-12,F,N,N\n";

    private static async Task<Dictionary<string, string?>> FirstRowAsync(HubRoot root, string feed)
    {
        var rows = await MartFiles.RowsAsync(Path.Combine(root.Path, "secure", feed, "*", "*.parquet"));
        return rows[0].ToDictionary(c => c.Key, c => c.Value.Text());
    }

    private static async Task IngestAllAsync(HubRoot root, string upn)
    {
        (await root.IngestAsync("csc", "csc-people", "people.csv", CscPeople(upn))).Code.Should().Be(ExitCodes.Ok);
        (await root.IngestAsync("mental-health", "mental-health-scores", "scores.csv", MentalHealth)).Code.Should().Be(ExitCodes.Ok);
        (await root.IngestAsync("police", "police-da-incidents", "incidents.csv", Police)).Code.Should().Be(ExitCodes.Ok);
    }

    private static string ValidUpn()
    {
        var body = UpnValue[1..];
        return DataHub.Core.Validation.Upn.CheckLetter(body) + body;
    }

    [Fact]
    public async Task The_same_person_gets_the_same_token_in_every_feed_carrying_the_same_key()
    {
        await _root.RunAsync("key", "init");
        await IngestAllAsync(_root, ValidUpn());
        var csc = await FirstRowAsync(_root, "csc-people");
        var mh = await FirstRowAsync(_root, "mental-health-scores");
        var police = await FirstRowAsync(_root, "police-da-incidents");

        csc["nhs_token"].Should().NotBeNull().And.Be(mh["nhs_token"], "943 476 5919 and 9434765919 are one NHS number");
        csc["name_dob_token"].Should().NotBeNull().And.Be(mh["name_dob_token"]).And.Be(police["name_dob_token"], "case, accents, spacing, punctuation and date format do not matter");
        csc["attributor_token"].Should().Be(police["attributor_token"]);
        csc["upn_token"].Should().NotBeNull();
        csc["local_token"].Should().NotBeNull();
    }

    [Fact]
    public async Task A_different_key_gives_different_tokens_for_the_same_person()
    {
        await _root.RunAsync("key", "init");
        await _otherKey.RunAsync("key", "init");
        await IngestAllAsync(_root, ValidUpn());
        await IngestAllAsync(_otherKey, ValidUpn());
        var a = await FirstRowAsync(_root, "csc-people");
        var b = await FirstRowAsync(_otherKey, "csc-people");
        foreach (var column in new[] { "nhs_token", "upn_token", "name_dob_token", "attributor_token", "local_token" })
        {
            a[column].Should().NotBeNull().And.NotBe(b[column], column);
        }
    }

    [Fact]
    public async Task A_rotated_key_version_shows_in_the_tokens_and_the_mart_metadata()
    {
        await _root.RunAsync("key", "init");
        (await _root.IngestAsync("police", "police-da-incidents", "before.csv", Police)).Code.Should().Be(ExitCodes.Ok);
        (await _root.RunAsync("key", "rotate")).Code.Should().Be(ExitCodes.Ok);
        (await _root.IngestAsync("police", "police-da-incidents", "after.csv", Police.Replace("I1,", "I2,", StringComparison.Ordinal))).Code.Should().Be(ExitCodes.Ok);

        var files = _root.Files("secure").Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        files.Should().HaveCount(2);
        var versions = new List<(string Meta, string Token)>();
        foreach (var file in files)
        {
            var full = Path.Combine(_root.Path, file);
            versions.Add(((await MartFiles.MetadataAsync(full))["datahub.key_version"], (await MartFiles.RowsAsync(full))[0]["name_dob_token"].Text()!));
        }

        versions.Select(v => v.Meta).Should().BeEquivalentTo("v1", "v2");
        versions.Should().OnlyContain(v => v.Token.StartsWith(v.Meta + ":", StringComparison.Ordinal));
    }
}
