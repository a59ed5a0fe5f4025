using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Pseudonymisation;
using DataHub.Parquet;

namespace DataHub.Core.Marts;

/// <summary>
/// The secure mart's file layout for a feed (contract C6): batch_id, source_line, the feed's token columns, birth year
/// and month where the feed has a date of birth, then every stored field under its contract name and type.
/// Identifier and drop fields never appear.
/// </summary>
public static class MartSchema
{
    /// <summary>The batch id column.</summary>
    public const string BatchId = "batch_id";

    /// <summary>The line (CSV) or sheet row (XLSX) the row came from.</summary>
    public const string SourceLine = "source_line";

    /// <summary>Year of birth, where the feed has a date of birth.</summary>
    public const string BirthYear = "birth_year";

    /// <summary>Month of birth (1–12), where the feed has a date of birth.</summary>
    public const string BirthMonth = "birth_month";

    /// <summary>The version of the feed contracts and rules rows are validated under; bump it when a rule changes meaning.</summary>
    public const string RulesVersion = "2026.3";

    private const int AttemptLength = 16;

    /// <summary>The Parquet schema of the feed's mart files.</summary>
    public static ParquetSchema For(FeedContract contract) => MartLayout.For(contract).Schema;

    /// <summary>The token columns the feed's mart files carry, strongest key first.</summary>
    public static IReadOnlyList<LinkageKey> TokenKeys(FeedContract contract) => MartLayout.For(contract).TokenKeys;

    /// <summary>
    /// The object path of one commit attempt's file for one quarter: secure/{feed}/quarter=YYYYQn/{batchId}.{attempt}.parquet.
    /// Without an attempt, secure/{feed}/quarter=YYYYQn/{batchId}.parquet, the name batches committed before attempts had
    /// names of their own still have.
    /// </summary>
    public static string PathFor(string feed, string quarter, string batchId, string? attempt = null) =>
        attempt is null ? $"secure/{feed}/quarter={quarter}/{batchId}.parquet" : $"secure/{feed}/quarter={quarter}/{batchId}.{attempt}.parquet";

    /// <summary>
    /// The name of the commit attempt a claim makes: the first 16 hex digits of the SHA-256 of its token. Two attempts at
    /// one delivery write under names of their own, so neither ever writes an object the other's manifest lists; the token
    /// itself (the claim's credential) is not written into the mart's names.
    /// </summary>
    public static string AttemptOf(string claimToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimToken);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(claimToken)))[..AttemptLength];
    }

    /// <summary>True when <paramref name="attempt"/> has the form <see cref="AttemptOf"/> gives (16 lowercase hex digits).</summary>
    public static bool IsAttempt(string attempt) =>
        attempt is { Length: AttemptLength } && attempt.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>The batch id in a mart file's name ("{batchId}.parquet" or "{batchId}.{attempt}.parquet"; batch ids have no dot).</summary>
    public static string BatchOfFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var dot = fileName.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? fileName : fileName[..dot];
    }

    /// <summary>The quarter label of a date, e.g. 2018-03-31 → "2018Q1".</summary>
    public static string QuarterOf(DateOnly date) => $"{date.Year:D4}Q{((date.Month - 1) / 3) + 1}";
}

/// <summary>The key-value metadata names stamped on every mart file.</summary>
public static class MartMetadata
{
    /// <summary>The batch (one landed file) the rows came from.</summary>
    public const string BatchId = "datahub.batch_id";

    /// <summary>The sending partner.</summary>
    public const string Partner = "datahub.partner";

    /// <summary>The feed.</summary>
    public const string Feed = "datahub.feed";

    /// <summary>The data-sharing agreement the file was received under.</summary>
    public const string Agreement = "datahub.agreement";

    /// <summary>The pseudonymisation key version of every token in the file.</summary>
    public const string KeyVersion = "datahub.key_version";

    /// <summary>SHA-256 of the landed file's content.</summary>
    public const string SourceSha256 = "datahub.source_sha256";

    /// <summary>Rows in this file.</summary>
    public const string Rows = "datahub.rows";

    /// <summary>Rows of the batch (the whole landed file) that were rejected.</summary>
    public const string RowsRejected = "datahub.rows_rejected";

    /// <summary>Rows of the batch accepted across all its quarter files.</summary>
    public const string BatchRows = "datahub.batch_rows";

    /// <summary>The version of the feed rules the rows were validated under.</summary>
    public const string RulesVersion = "datahub.rules_version";

    /// <summary>The quarter of the rows in this file.</summary>
    public const string Quarter = "datahub.quarter";
}

/// <summary>Where each mart column's value comes from, for one feed.</summary>
internal sealed class MartLayout
{
    private MartLayout(ParquetSchema schema, IReadOnlyList<LinkageKey> tokenKeys, bool hasBirth, (int Field, int Column, FieldType Type)[] stored)
    {
        Schema = schema;
        TokenKeys = tokenKeys;
        HasBirth = hasBirth;
        Stored = stored;
        TokenColumns = tokenKeys.Select(k => k.TokenColumn()).ToHashSet(StringComparer.Ordinal);
    }

    public ParquetSchema Schema { get; }

    public IReadOnlyList<LinkageKey> TokenKeys { get; }

    public bool HasBirth { get; }

    /// <summary>The token columns' names: keyed hashes, as many distinct values as people, written as hash columns (PLAIN, uncompressed).</summary>
    public IReadOnlySet<string> TokenColumns { get; }

    /// <summary>The contract field index, mart column index and type of each stored field (an array: rows walk it without an enumerator).</summary>
    public (int Field, int Column, FieldType Type)[] Stored { get; }

    /// <summary>Column index of the first token column.</summary>
    public static int FirstToken => 2;

    /// <summary>Column index of birth_year (birth_month follows).</summary>
    public int BirthYearColumn => FirstToken + TokenKeys.Count;

    public static MartLayout For(FeedContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var columns = new List<ParquetColumn>
        {
            new(MartSchema.BatchId, ParquetType.String, Nullable: false),
            new(MartSchema.SourceLine, ParquetType.Int64, Nullable: false),
        };
        var keys = RowTokeniser.KeysFor(contract);
        columns.AddRange(keys.Select(k => new ParquetColumn(k.TokenColumn(), ParquetType.String)));
        var hasBirth = contract.Fields.Any(f => f.Identity == IdentityPart.DateOfBirth);
        if (hasBirth)
        {
            columns.Add(new ParquetColumn(MartSchema.BirthYear, ParquetType.Int32));
            columns.Add(new ParquetColumn(MartSchema.BirthMonth, ParquetType.Int32));
        }

        var stored = new List<(int, int, FieldType)>();
        for (var i = 0; i < contract.Fields.Count; i++)
        {
            var field = contract.Fields[i];
            if (field.Handling != FieldHandling.Stored)
            {
                continue;
            }

            stored.Add((i, columns.Count, field.Type));
            columns.Add(new ParquetColumn(field.Name, field.Type switch
            {
                FieldType.Date => ParquetType.Date,
                FieldType.Integer => ParquetType.Int32,
                FieldType.Boolean => ParquetType.Boolean,
                _ => ParquetType.String,
            }));
        }

        return new MartLayout(new ParquetSchema(columns), keys, hasBirth, [.. stored]);
    }
}
