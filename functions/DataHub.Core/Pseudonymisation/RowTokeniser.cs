using DataHub.Core.Feeds;
using DataHub.Core.Validation;

namespace DataHub.Core.Pseudonymisation;

/// <summary>Makes the linkage tokens a feed's rows can carry, from the identity fields of its contract.</summary>
/// <remarks>Built once per file; <see cref="Tokenise"/> runs per row and touches raw values only in memory.</remarks>
public sealed class RowTokeniser
{
    private readonly Pseudonymiser _pseudonymiser;
    private readonly string _partner;
    private readonly int _nhs;
    private readonly int _upn;
    private readonly int _forename;
    private readonly int _surname;
    private readonly int _forenameInitial;
    private readonly int _surnameInitial;
    private readonly int _dateOfBirth;
    private readonly int _sex;
    private readonly int _local;

    /// <summary>Plans the tokens for <paramref name="contract"/>'s rows from <paramref name="partner"/>.</summary>
    /// <param name="contract">The feed contract.</param>
    /// <param name="partner">The sending partner, which namespaces the local key.</param>
    /// <param name="pseudonymiser">Holds the key.</param>
    /// <param name="excludedFields">Fields the agreement does not allow: they contribute to no key.</param>
    public RowTokeniser(FeedContract contract, string partner, Pseudonymiser pseudonymiser, IReadOnlyCollection<string>? excludedFields = null)
    {
        ArgumentNullException.ThrowIfNull(contract);
        _pseudonymiser = pseudonymiser;
        _partner = partner;
        var fields = new IdentityFields(contract, excludedFields);
        (_nhs, _upn, _forename, _surname, _forenameInitial, _surnameInitial, _dateOfBirth, _sex, _local) =
            (fields.Nhs, fields.Upn, fields.Forename, fields.Surname, fields.ForenameInitial, fields.SurnameInitial, fields.DateOfBirth, fields.Sex, fields.Local);
        Keys = fields.Keys();
    }

    /// <summary>The keys this feed's rows can carry, strongest first (the mart's token columns).</summary>
    public IReadOnlyList<LinkageKey> Keys { get; }

    /// <summary>The keys the contract of <paramref name="contract"/> can make, without a key (for schemas).</summary>
    public static IReadOnlyList<LinkageKey> KeysFor(FeedContract contract) => new IdentityFields(contract, null).Keys();

    /// <summary>The row's date of birth, when the feed has one and the row carries it.</summary>
    public DateOnly? DateOfBirth(ParsedRow row) => _dateOfBirth >= 0 ? AsDate(row.Values[_dateOfBirth]) : null;

    /// <summary>
    /// Fills <paramref name="tokens"/> (aligned with <see cref="Keys"/>) with the row's tokens; a key the row cannot
    /// make (an optional identifier missing) is null.
    /// </summary>
    public void Tokenise(ParsedRow row, string?[] tokens)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(tokens);
        var dob = DateOfBirth(row) is { } date ? IdentityNormaliser.DateOfBirth(date) : null;
        for (var k = 0; k < Keys.Count; k++)
        {
            tokens[k] = Keys[k] switch
            {
                LinkageKey.Nhs => NhsNumber.TryNormalise(AsText(row.Values[_nhs]) ?? string.Empty, out var nhs)
                    ? _pseudonymiser.Token(LinkageKey.Nhs, nhs)
                    : null,
                LinkageKey.Upn => Upn.TryNormalise(AsText(row.Values[_upn]) ?? string.Empty, out var upn)
                    ? _pseudonymiser.Token(LinkageKey.Upn, upn)
                    : null,
                LinkageKey.NameDob => NameDob(row, dob),
                LinkageKey.Attributor => Attributor(row, dob),
                LinkageKey.Local => IdentityNormaliser.LocalId(AsText(row.Values[_local])) is { } id
                    ? _pseudonymiser.Token(LinkageKey.Local, id, _partner)
                    : null,
                _ => null,
            };
        }
    }

    private string? NameDob(ParsedRow row, string? dob)
    {
        var surname = IdentityNormaliser.Name(AsText(row.Values[_surname]));
        var forename = IdentityNormaliser.FirstForename(AsText(row.Values[_forename]));
        return surname is null || forename is null || dob is null
            ? null
            : _pseudonymiser.Token(LinkageKey.NameDob, string.Concat(surname, "|", forename, "|", dob));
    }

    private string? Attributor(ParsedRow row, string? dob)
    {
        var forenameInitial = IdentityNormaliser.Initial(AsText(row.Values[_forename >= 0 ? _forename : _forenameInitial]));
        var surnameInitial = IdentityNormaliser.Initial(AsText(row.Values[_surname >= 0 ? _surname : _surnameInitial]));
        var sex = IdentityNormaliser.Sex(AsText(row.Values[_sex]));
        return forenameInitial is null || surnameInitial is null || dob is null || sex is null
            ? null
            : _pseudonymiser.Token(LinkageKey.Attributor, string.Concat(forenameInitial, surnameInitial, "|", dob, "|", sex));
    }

    private static string? AsText(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static DateOnly? AsDate(object? value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        _ => null,
    };

    /// <summary>Where each identity part sits in a contract's fields (-1 when absent or not allowed).</summary>
    private sealed class IdentityFields
    {
        public IdentityFields(FeedContract contract, IReadOnlyCollection<string>? excludedFields)
        {
            int Index(IdentityPart part)
            {
                for (var i = 0; i < contract.Fields.Count; i++)
                {
                    var field = contract.Fields[i];
                    if (field.Identity == part && (excludedFields is null || !excludedFields.Contains(field.Name)))
                    {
                        return i;
                    }
                }

                return -1;
            }

            Nhs = Index(IdentityPart.NhsNumber);
            Upn = Index(IdentityPart.Upn);
            Forename = Index(IdentityPart.Forename);
            Surname = Index(IdentityPart.Surname);
            ForenameInitial = Index(IdentityPart.ForenameInitial);
            SurnameInitial = Index(IdentityPart.SurnameInitial);
            DateOfBirth = Index(IdentityPart.DateOfBirth);
            Sex = Index(IdentityPart.Sex);
            Local = Index(IdentityPart.LocalId);
        }

        public int Nhs { get; }

        public int Upn { get; }

        public int Forename { get; }

        public int Surname { get; }

        public int ForenameInitial { get; }

        public int SurnameInitial { get; }

        public int DateOfBirth { get; }

        public int Sex { get; }

        public int Local { get; }

        public IReadOnlyList<LinkageKey> Keys()
        {
            var keys = new List<LinkageKey>();
            if (Nhs >= 0)
            {
                keys.Add(LinkageKey.Nhs);
            }

            if (Upn >= 0)
            {
                keys.Add(LinkageKey.Upn);
            }

            if (Forename >= 0 && Surname >= 0 && DateOfBirth >= 0)
            {
                keys.Add(LinkageKey.NameDob);
            }

            if ((Forename >= 0 || ForenameInitial >= 0) && (Surname >= 0 || SurnameInitial >= 0) && DateOfBirth >= 0 && Sex >= 0)
            {
                keys.Add(LinkageKey.Attributor);
            }

            if (Local >= 0)
            {
                keys.Add(LinkageKey.Local);
            }

            return keys;
        }
    }
}
