using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Validation;

namespace DataHub.Core.Pseudonymisation;

/// <summary>Makes the linkage tokens a feed's rows can carry, from the identity fields of its contract.</summary>
/// <remarks>Built once per file and used on one thread; tokenising touches raw values only in memory, and the messages it
/// builds are cleared as soon as their tokens are made.</remarks>
public sealed class RowTokeniser
{
    private readonly Pseudonymiser _pseudonymiser;
    private readonly int _nhs;
    private readonly int _upn;
    private readonly int _forename;
    private readonly int _surname;
    private readonly int _forenameInitial;
    private readonly int _surnameInitial;
    private readonly int _dateOfBirth;
    private readonly int _sex;
    private readonly int _local;
    private readonly bool _usesNames;
    // Each key's domain prefix, indexed by the key: an array, not a dictionary, whose enum comparer boxes the key in
    // ahead-of-time compiled code (the published CLI runs it until the JIT recompiles the method).
    private readonly byte[][] _domains;
    private readonly TokenMessage _message = new();

    /// <summary>Plans the tokens for <paramref name="contract"/>'s rows from <paramref name="partner"/>.</summary>
    /// <param name="contract">The feed contract.</param>
    /// <param name="partner">The sending partner, which namespaces the local key.</param>
    /// <param name="pseudonymiser">Holds the key.</param>
    /// <param name="excludedFields">Fields the agreement does not allow: they contribute to no key.</param>
    public RowTokeniser(FeedContract contract, string partner, Pseudonymiser pseudonymiser, IReadOnlyCollection<string>? excludedFields = null)
    {
        ArgumentNullException.ThrowIfNull(contract);
        _pseudonymiser = pseudonymiser;
        var fields = new IdentityFields(contract, excludedFields);
        (_nhs, _upn, _forename, _surname, _forenameInitial, _surnameInitial, _dateOfBirth, _sex, _local) =
            (fields.Nhs, fields.Upn, fields.Forename, fields.Surname, fields.ForenameInitial, fields.SurnameInitial, fields.DateOfBirth, fields.Sex, fields.Local);
        Keys = fields.Keys();
        _usesNames = (_forename >= 0 || _surname >= 0) && (Keys.Contains(LinkageKey.NameDob) || Keys.Contains(LinkageKey.Attributor));
        _domains = new byte[LinkageKeys.All.Count][];
        foreach (var k in Keys)
        {
            _domains[(int)k] = Encoding.UTF8.GetBytes(Pseudonymiser.Domain(k, partner) + "|");
        }
    }

    /// <summary>The keys this feed's rows can carry, strongest first (the mart's token columns).</summary>
    public IReadOnlyList<LinkageKey> Keys { get; }

    /// <summary>The keys the contract of <paramref name="contract"/> can make, without a key (for schemas).</summary>
    public static IReadOnlyList<LinkageKey> KeysFor(FeedContract contract) => new IdentityFields(contract, null).Keys();

    /// <summary>The row's date of birth, when the feed has one and the row carries it.</summary>
    public DateOnly? DateOfBirth(ParsedRow row) => _dateOfBirth >= 0 ? AsDate(row.Values[_dateOfBirth]) : null;

    /// <summary>The row's date of birth as the mart stores it (year and month): none for a placeholder such as 01/01/1900, which
    /// is no one's birthday, so that no age group is ever worked out from it.</summary>
    public DateOnly? BirthToStore(ParsedRow row) => DateOfBirth(row) is { } date && !PlaceholderIdentities.IsDateOfBirth(date) ? date : null;

    /// <summary>
    /// Fills <paramref name="tokens"/> (aligned with <see cref="Keys"/>) with the row's tokens; a key the row cannot
    /// make (an optional identifier missing, or a placeholder: <see cref="PlaceholderIdentities"/>) is null.
    /// </summary>
    public void Tokenise(ParsedRow row, string?[] tokens)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(tokens);
        var batch = NewBatch();
        Tokenise([row], batch);
        for (var k = 0; k < Keys.Count; k++)
        {
            tokens[k] = batch.Text(0, k);
        }
    }

    /// <summary>An empty batch sized for this feed's keys and this key's tokens, to pass to <see cref="Tokenise(ReadOnlySpan{ParsedRow}, TokenBatch)"/>.</summary>
    public TokenBatch NewBatch() => new(Keys.Count, _pseudonymiser.TokenLength);

    /// <summary>
    /// Tokenises many rows at once into <paramref name="into"/> (emptied first): row i of the batch is
    /// <paramref name="rows"/>[i]. The tokens are written as text straight into the batch's buffer, with no string each.
    /// </summary>
    public void Tokenise(ReadOnlySpan<ParsedRow> rows, TokenBatch into)
    {
        var births = new DateOnly?[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            births[i] = BirthToStore(rows[i]);
        }

        Tokenise(rows, births, into);
    }

    /// <summary>As <see cref="Tokenise(ReadOnlySpan{ParsedRow}, TokenBatch)"/>, given each row's <see cref="BirthToStore"/> already
    /// read (a placeholder date already left out).</summary>
    internal void Tokenise(ReadOnlySpan<ParsedRow> rows, ReadOnlySpan<DateOnly?> birthDates, TokenBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (into.Keys != Keys.Count || into.TokenLength != _pseudonymiser.TokenLength)
        {
            throw new ArgumentException("The batch was made for another feed or key.", nameof(into));
        }

        into.Reset(rows.Length);
        try
        {
            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                // A placeholder date (01/01/1900; left out by BirthToStore) or name (UNKNOWN, Baby) is no identity: the keys
                // made from it are absent.
                var dob = birthDates[i];
                var realNames = !_usesNames || RealNames(row);
                for (var k = 0; k < Keys.Count; k++)
                {
                    if (Message(row, Keys[k], dob, realNames))
                    {
                        _pseudonymiser.Token(_message.Bytes, into.Fill(i, k));
                    }
                }
            }
        }
        finally
        {
            // The message holds a normalised identifier: clear it before it leaves our hands.
            _message.Clear();
        }
    }

    /// <summary>False when the row's surname or forename, where the feed has them, is a placeholder (<see cref="PlaceholderIdentities"/>).</summary>
    private bool RealNames(ParsedRow row) =>
        (_surname < 0 || !PlaceholderIdentities.IsName(AsText(row.Values[_surname]), forename: false))
        && (_forename < 0 || !PlaceholderIdentities.IsName(AsText(row.Values[_forename]), forename: true));

    /// <summary>
    /// Builds the message <paramref name="key"/>'s token is made from; false when the row cannot make it. The names and
    /// initials taken from them count only when <paramref name="realNames"/>; <paramref name="dob"/> is null when a placeholder.
    /// </summary>
    private bool Message(ParsedRow row, LinkageKey key, DateOnly? dob, bool realNames)
    {
        var values = row.Values;
        switch (key)
        {
            case LinkageKey.Nhs:
                {
                    Span<char> digits = stackalloc char[10];
                    return NhsNumber.Check(AsText(values[_nhs]), digits) is null && !PlaceholderIdentities.IsNhsNumber(digits) && Ascii(key, digits);
                }

            case LinkageKey.Upn:
                {
                    Span<char> upn = stackalloc char[13];
                    return Upn.Check(AsText(values[_upn]), upn) is null && Ascii(key, upn);
                }

            case LinkageKey.NameDob:
                {
                    if (dob is not { } date || !realNames)
                    {
                        return false;
                    }

                    // surname|forename|yyyy-MM-dd; a folded name is at most twice its length.
                    var surname = AsText(values[_surname]);
                    var forename = AsText(values[_forename]);
                    var message = _message.Start(_domains[(int)key], (2 * (surname.Length + forename.Length)) + 12);
                    var length = IdentityNormaliser.Name(surname, message);
                    if (length == 0)
                    {
                        return false;
                    }

                    message[length++] = (byte)'|';
                    var first = IdentityNormaliser.FirstForename(forename, message[length..]);
                    if (first == 0)
                    {
                        return false;
                    }

                    length += first;
                    message[length++] = (byte)'|';
                    IdentityNormaliser.DateOfBirth(date, message.Slice(length, 10));
                    _message.Commit(length + 10);
                    return true;
                }

            case LinkageKey.Attributor:
                {
                    var forenameInitial = IdentityNormaliser.Initial(AsText(values[_forename >= 0 ? _forename : _forenameInitial]));
                    var surnameInitial = IdentityNormaliser.Initial(AsText(values[_surname >= 0 ? _surname : _surnameInitial]));
                    var sex = IdentityNormaliser.Sex(AsText(values[_sex]));
                    if (forenameInitial == 0 || surnameInitial == 0 || dob is not { } date || sex == 0 || !realNames)
                    {
                        return false;
                    }

                    // FS|yyyy-MM-dd|S
                    var message = _message.Start(_domains[(int)key], 15);
                    message[0] = forenameInitial;
                    message[1] = surnameInitial;
                    message[2] = (byte)'|';
                    IdentityNormaliser.DateOfBirth(date, message.Slice(3, 10));
                    message[13] = (byte)'|';
                    message[14] = sex;
                    _message.Commit(15);
                    return true;
                }

            case LinkageKey.Local:
                {
                    if (IdentityNormaliser.LocalId(AsNullableText(values[_local])) is not { } id)
                    {
                        return false;
                    }

                    var message = _message.Start(_domains[(int)key], Encoding.UTF8.GetMaxByteCount(id.Length));
                    _message.Commit(Encoding.UTF8.GetBytes(id, message));
                    return true;
                }

            default:
                return false;
        }
    }

    /// <summary>Builds the message of a value already checked to be ASCII (NHS number digits, a UPN); always true.</summary>
    private bool Ascii(LinkageKey key, ReadOnlySpan<char> value)
    {
        var message = _message.Start(_domains[(int)key], value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            message[i] = (byte)value[i];
        }

        _message.Commit(value.Length);
        return true;
    }

    private static ReadOnlySpan<char> AsText(object? value) => AsNullableText(value);

    private static string? AsNullableText(object? value) => value switch
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
