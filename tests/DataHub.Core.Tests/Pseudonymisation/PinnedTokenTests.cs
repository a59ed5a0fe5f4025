using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Tests.Seeds;

namespace DataHub.Core.Tests.Pseudonymisation;

/// <summary>
/// Tokens are what links a partner's rows across batches, years and key-holding hosts: a mart written today must link to
/// one written before any change to how tokens are computed. These values were made by the hub's earlier HMAC code, so
/// any change of implementation must reproduce them exactly.
/// </summary>
public sealed class PinnedTokenTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)((i * 37) + 11))];

    [Theory]
    [InlineData(LinkageKey.Nhs, "9434765919", null, "v1:11d961fc0748d1283f06ca9139e4fccfadad36ada504e46b6be4b0871f73defe")]
    [InlineData(LinkageKey.Upn, "A123456789012", null, "v1:84439bd8f7a17848733153848eb833f90f96ff73750bd65fbfd8518bef941203")]
    [InlineData(LinkageKey.NameDob, "OBRIENSMITH|ZOE|2010-01-02", null, "v1:405bef3d157334f53839b32d8f5996018a5c6ade6b396d4cccd154150d21d570")]
    [InlineData(LinkageKey.Attributor, "ZO|2010-01-02|F", null, "v1:542838904b80c82664bbbe3993e52f5c679e0ec93af6447c51b730b4d039ad35")]
    [InlineData(LinkageKey.Local, "CLIENT-42", "substance-misuse", "v1:dce5cbd9b38e33bc8fc44360b832c2461fdaad9a7bcfd40cd4c63d1d7cd41a36")]
    public void A_value_keeps_the_token_it_had_before(LinkageKey key, string normalised, string? partner, string expected)
    {
        using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v1", Key));
        pseudonymiser.Token(key, normalised, partner).Should().Be(expected);
    }

    [Fact]
    public async Task Police_rows_as_partners_write_them_keep_their_tokens()
    {
        const string csv = """
            Incident Id,Incident Date,Role,Forename,Surname,Date Of Birth,Sex,Crime,Marac Referral
            DA1,10/10/2018,victim,Seán,McCarthy,15/03/1985,M,Y,N
            DA2,11/10/2018,perpetrator, zoë-anne ,O'Brien-Smith,2/1/2010,F,N,N
            DA3,12/10/2018,other,Siân,Lloyd-Davies,1999-12-31,F,Y,Y
            """;
        var tokens = await TokensAsync(FeedCatalog.PoliceDaIncidents, "police", csv);
        tokens.Should().Equal(
            "v1:367ca0885219c18eed11551334cd848c6dd1c56463ddfb982db5acd7261f708a",
            "v1:976b32e9dda9705ad05d1f34cef8c9edc424711f3b75d079da6501da25ef992e",
            "v1:0e1d1a9695b641313dcec689fa981c227a509ab16b7eb0225b134fbea6f8b75e",
            "v1:542838904b80c82664bbbe3993e52f5c679e0ec93af6447c51b730b4d039ad35",
            "v1:61024d4fb737a7a0d9e75ab95fb21539bb71c0733d6e32226a5e6f64a01a32b2",
            "v1:91df93682c184586a48f180bc9fcbbfdfc25674a692596b4f75bf12f7c054cfc");
    }

    [Fact]
    public async Task Every_token_of_the_seeded_dataset_is_unchanged()
    {
        // One digest over every token of every row of the synthetic dataset (all five keys, every feed).
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var count = 0;
        foreach (var file in GeneratorTests.Dataset.Files)
        {
            foreach (var token in await TokensAsync(file.Feed, file.Partner, file.Content, file.FileName))
            {
                digest.AppendData(Encoding.ASCII.GetBytes((token ?? "-") + "\n"));
                count++;
            }
        }

        count.Should().BeGreaterThan(1000);
        Convert.ToHexStringLower(digest.GetHashAndReset()).Should().Be("15f876de3b1b110271a432d256d453b79215c3e3e3e6a5a21d38d9bcf2bd241c");
    }

    private static Task<List<string?>> TokensAsync(string feed, string partner, string csv) =>
        TokensAsync(feed, partner, Encoding.UTF8.GetBytes(csv), "extract.csv");

    /// <summary>Every token of every accepted row, row by row and key by key, made as the ingest makes them (in batches).</summary>
    private static async Task<List<string?>> TokensAsync(string feed, string partner, byte[] content, string fileName)
    {
        var contract = FeedCatalog.Find(feed)!;
        using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v1", Key));
        var tokeniser = new RowTokeniser(contract, partner, pseudonymiser);
        using var reader = FeedReader.Open(new MemoryStream(content), fileName, contract);
        var rows = new List<ParsedRow>();
        await foreach (var result in reader.ReadRowsAsync())
        {
            if (result.Row is { } row)
            {
                rows.Add(row);
            }
        }

        var tokens = new List<string?>();
        var batch = tokeniser.NewBatch();
        foreach (var chunk in rows.Chunk(512))
        {
            tokeniser.Tokenise(chunk, batch);
            for (var i = 0; i < chunk.Length; i++)
            {
                for (var k = 0; k < tokeniser.Keys.Count; k++)
                {
                    tokens.Add(batch.Text(i, k));
                }
            }
        }

        return tokens;
    }
}
