using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Parsing;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Tests.Seeds;
using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Pseudonymisation;

/// <summary>
/// The tokeniser builds its messages straight into bytes; these tests hold it to the contract's definition of each
/// message, written here the plain way from the public normalisers, over every row of every synthetic file.
/// </summary>
public sealed class RowTokeniserTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];

    [Fact]
    public async Task Batched_tokens_equal_the_contract_definition_for_every_synthetic_row()
    {
        var random = new Random(20171001);
        var compared = 0;
        foreach (var file in GeneratorTests.Dataset.Files)
        {
            var contract = FeedCatalog.Find(file.Feed)!;
            using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v3", Key));
            var tokeniser = new RowTokeniser(contract, file.Partner, pseudonymiser);
            if (tokeniser.Keys.Count == 0)
            {
                continue;
            }

            using var reader = FeedReader.Open(new MemoryStream(file.Content), file.FileName, contract);
            var rows = new List<ParsedRow>();
            await foreach (var result in reader.ReadRowsAsync())
            {
                if (result.Row is { } row)
                {
                    rows.Add(row);
                }
            }

            // Uneven batch sizes, so batches start and end at different rows of each file; one batch object reused throughout.
            var tokens = tokeniser.NewBatch();
            for (var start = 0; start < rows.Count;)
            {
                var size = Math.Min(rows.Count - start, random.Next(1, 700));
                var batch = rows.GetRange(start, size).ToArray();
                tokeniser.Tokenise(batch, tokens);
                tokens.Rows.Should().Be(batch.Length);
                for (var i = 0; i < batch.Length; i++)
                {
                    var made = Enumerable.Range(0, tokeniser.Keys.Count).Select(k => tokens.Text(i, k)).ToArray();
                    made.Should().Equal(Expected(contract, file.Partner, tokeniser.Keys, batch[i], "v3"), $"{file.FileName} line {batch[i].Line}");
                    compared++;
                }

                start += size;
            }
        }

        compared.Should().BeGreaterThan(1000);
    }

    [Theory]
    [InlineData("Æthelstan Brian", "O'Brien-Smith", "male")]
    [InlineData("  \tẞigrid", "Strauß", "F")]
    [InlineData("Zoë", "Łukasz-Ōta", "x")]
    [InlineData("- '", "Lee", "F")]
    [InlineData("Ann", "12 34", "F")]
    [InlineData("Ann", "Lee", "none")]
    public void Names_with_folding_ligatures_and_no_letters_tokenise_as_the_contract_defines(string forename, string surname, string sex)
    {
        var contract = FeedCatalog.Find("police-da-incidents")!;
        using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v1", Key));
        var tokeniser = new RowTokeniser(contract, "police", pseudonymiser);
        var row = Row(contract, ("forename", forename), ("surname", surname), ("date_of_birth", new DateOnly(987, 3, 4)), ("sex", sex));
        var tokens = new string?[tokeniser.Keys.Count];
        tokeniser.Tokenise(row, tokens);
        tokens.Should().Equal(Expected(contract, "police", tokeniser.Keys, row));
    }

    [Fact]
    public void A_long_name_and_a_non_ascii_local_id_tokenise_as_the_contract_defines()
    {
        var contract = FeedCatalog.Find("substance-misuse-tops")!;
        using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v1", Key));
        var tokeniser = new RowTokeniser(contract, "substance-misuse", pseudonymiser);
        var local = contract.Fields.First(f => f.Identity == IdentityPart.LocalId).Name;
        var row = Row(contract, (local, " çlient-42 "));
        var tokens = new string?[tokeniser.Keys.Count];
        tokeniser.Tokenise(row, tokens);
        tokens.Should().Equal(Expected(contract, "substance-misuse", tokeniser.Keys, row));
        tokens.Should().Contain(t => t != null);

        var police = FeedCatalog.Find("police-da-incidents")!;
        var policeTokeniser = new RowTokeniser(police, "police", pseudonymiser);
        var longRow = Row(police, ("forename", new string('é', 300)), ("surname", string.Concat(Enumerable.Repeat("Æbc-", 90))), ("date_of_birth", new DateOnly(2001, 12, 31)), ("sex", "F"));
        var longTokens = new string?[policeTokeniser.Keys.Count];
        policeTokeniser.Tokenise(longRow, longTokens);
        longTokens.Should().Equal(Expected(police, "police", policeTokeniser.Keys, longRow));
    }

    private static ParsedRow Row(FeedContract contract, params (string Field, object Value)[] values) =>
        new(2, contract.Fields.Select(f => values.FirstOrDefault(v => v.Field == f.Name).Value).ToList());

    /// <summary>The tokens as contract C6 defines them: HMAC-SHA256 of "{domain}|{normalised value}" under the key, "v:hex".</summary>
    private static string?[] Expected(FeedContract contract, string partner, IReadOnlyList<LinkageKey> keys, ParsedRow row, string version = "v1")
    {
        string? Text(IdentityPart part)
        {
            var index = contract.Fields.ToList().FindIndex(f => f.Identity == part);
            return index < 0 ? null : row.Values[index] switch
            {
                null => null,
                string s => s,
                var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        var dobIndex = contract.Fields.ToList().FindIndex(f => f.Identity == IdentityPart.DateOfBirth);
        var dob = dobIndex >= 0 && row.Values[dobIndex] is DateOnly date && !PlaceholderIdentities.IsDateOfBirth(date) ? IdentityNormaliser.DateOfBirth(date) : null;
        string? Token(string domain, string? value) => value is null
            ? null
            : version + ":" + Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes($"{domain}|{value}")));

        var forename = Text(IdentityPart.Forename);
        var surname = Text(IdentityPart.Surname);
        var realNames = !PlaceholderIdentities.IsName(forename, forename: true) && !PlaceholderIdentities.IsName(surname, forename: false);
        return [.. keys.Select(key => key switch
        {
            LinkageKey.Nhs => NhsNumber.TryNormalise(Text(IdentityPart.NhsNumber) ?? "", out var nhs) && !PlaceholderIdentities.IsNhsNumber(nhs) ? Token("nhs", nhs) : null,
            LinkageKey.Upn => Upn.TryNormalise(Text(IdentityPart.Upn) ?? "", out var upn) ? Token("upn", upn) : null,
            LinkageKey.NameDob => realNames && IdentityNormaliser.Name(surname) is { } s && IdentityNormaliser.FirstForename(forename) is { } f && dob is not null
                ? Token("name_dob", $"{s}|{f}|{dob}")
                : null,
            LinkageKey.Attributor =>
                realNames && IdentityNormaliser.Initial(forename ?? Text(IdentityPart.ForenameInitial)) is { } fi
                && IdentityNormaliser.Initial(surname ?? Text(IdentityPart.SurnameInitial)) is { } si
                && IdentityNormaliser.Sex(Text(IdentityPart.Sex)) is { } sex && dob is not null
                    ? Token("attributor", $"{fi}{si}|{dob}|{sex}")
                    : null,
            LinkageKey.Local => IdentityNormaliser.LocalId(Text(IdentityPart.LocalId)) is { } id ? Token($"local|{partner}", id) : null,
            _ => throw new InvalidOperationException(),
        })];
    }
}
