using DataHub.Core.Kpis;

namespace DataHub.Core.Linkage;

/// <summary>
/// The cohort feed (csc-people) as a set of distinct people with every key they carry, and the linkage of partner records
/// to them: the strongest key present that matches decides; a key matching more than one person leaves the record ambiguous.
/// </summary>
public sealed class CohortIndex
{
    private const int AmbiguousMatch = -2;

    // Arrays rather than the public read-only lists: iterated once per partner record without an enumerator allocation.
    private static readonly LinkKey[] SamePartnerOrder = [.. LinkKeys.SamePartnerOrder];
    private static readonly LinkKey[] CrossPartnerOrder = [.. LinkKeys.CrossPartnerOrder];
    private readonly Dictionary<string, int>[] _byKey;
    private readonly string _versionPrefix;

    private CohortIndex(string keyVersion, IReadOnlyList<CohortPerson> people, IReadOnlyList<FamilyAllocation> allocations, Dictionary<string, int>[] byKey)
    {
        KeyVersion = keyVersion;
        _versionPrefix = keyVersion + ":";
        People = people;
        Allocations = allocations;
        _byKey = byKey;
    }

    /// <summary>The key version every cohort token was made under.</summary>
    public string KeyVersion { get; }

    /// <summary>The distinct people (by their CSC person id token, D01).</summary>
    public IReadOnlyList<CohortPerson> People { get; }

    /// <summary>One entry per csc-people row: a person in a family.</summary>
    public IReadOnlyList<FamilyAllocation> Allocations { get; }

    /// <summary>Builds the index from the csc-people rows; a person is identified by their local (person id) token.</summary>
    /// <exception cref="KeyVersionMismatchException">The rows' tokens were made under more than one key version.</exception>
    /// <exception cref="InvalidDataException">A row has no person id token.</exception>
    public static CohortIndex Build(IEnumerable<CscPersonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var people = new List<CohortPerson>();
        // A person's place in a family sent again (a later extract) replaces the earlier one.
        var allocations = new Dictionary<(int Person, string Family), FamilyAllocation>();
        var byLocal = new Dictionary<string, int>(StringComparer.Ordinal);
        var byKey = Enumerable.Range(0, 5).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        string? version = null;
        foreach (var row in rows)
        {
            var local = row.Keys.Local ?? throw new InvalidDataException("A csc-people row has no person id token (local_token); the cohort cannot be built.");
            foreach (var token in Tokens(row.Keys))
            {
                var v = VersionOf(token.Token);
                version ??= v;
                if (!string.Equals(v, version, StringComparison.Ordinal))
                {
                    throw new KeyVersionMismatchException("csc-people", v, version);
                }
            }

            if (!byLocal.TryGetValue(local, out var person))
            {
                person = people.Count;
                byLocal[local] = person;
                people.Add(new CohortPerson(person, row.Keys, row.BirthYear, row.BirthMonth));
            }

            foreach (var (key, token) in Tokens(row.Keys))
            {
                var map = byKey[(int)key];
                if (!map.TryGetValue(token, out var existing))
                {
                    map[token] = person;
                }
                else if (existing != person)
                {
                    map[token] = AmbiguousMatch;
                }
            }

            allocations[(person, row.FamilyKey)] = new FamilyAllocation(person, row.FamilyKey, row.FsStartDate, row.FsEndDate, row.FsTeam, row.Uasc, row.Cwd, row.WorkedWith);
        }

        return new CohortIndex(version ?? "none", people, allocations.Values.ToArray(), byKey);
    }

    /// <summary>
    /// Links one record. Keys are tried strongest first (the partner's own id first when the record comes from the cohort's
    /// partner; never across partners); the first key that matches anyone decides: one person links, several is ambiguous.
    /// </summary>
    /// <exception cref="KeyVersionMismatchException">A token was made under another key version than the cohort's.</exception>
    public LinkResult Link(PersonKeys keys, string feed, bool samePartner, LinkQualityTally? tally = null) => Link(keys, feed, samePartner, tally, null);

    /// <summary>As <see cref="Link(PersonKeys, string, bool, LinkQualityTally?)"/>, remembering each key's last token lookup in <paramref name="recent"/>.</summary>
    internal LinkResult Link(PersonKeys keys, string feed, bool samePartner, LinkQualityTally? tally, RecentLookups? recent)
    {
        ArgumentNullException.ThrowIfNull(keys);
        LinkResult? decided = null;
        foreach (var key in samePartner ? SamePartnerOrder : CrossPartnerOrder)
        {
            var token = TokenOf(keys, key);
            if (token is null)
            {
                continue;
            }

            var k = (int)key;
            int matches;
            int person;
            if (recent is not null && ReferenceEquals(recent.Tokens[k], token))
            {
                // The same token instance as the previous record's (a dictionary-encoded mart column): already checked and looked up.
                matches = recent.Matches[k];
                person = recent.Persons[k];
            }
            else
            {
                if (!token.StartsWith(_versionPrefix, StringComparison.Ordinal))
                {
                    throw new KeyVersionMismatchException(feed, VersionOf(token), KeyVersion);
                }

                matches = _byKey[k].TryGetValue(token, out person) ? (person == AmbiguousMatch ? 2 : 1) : 0;
                if (recent is not null)
                {
                    recent.Tokens[k] = token;
                    recent.Matches[k] = matches;
                    recent.Persons[k] = person;
                }
            }

            tally?.RecordKey(key, matches);
            if (decided is null && matches > 0)
            {
                decided = matches == 1 ? new LinkResult(LinkStatus.Linked, person, key) : new LinkResult(LinkStatus.Ambiguous, -1, key);
                if (tally is null)
                {
                    break;
                }
            }
        }

        var result = decided ?? new LinkResult(LinkStatus.Unlinked, -1, null);
        tally?.Record(result.Status);
        return result;
    }

    /// <summary>The version label of a token (<c>{version}:{hex}</c>).</summary>
    public static string VersionOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? "(none)" : token[..colon];
    }

    private static string? TokenOf(PersonKeys keys, LinkKey key) => key switch
    {
        LinkKey.Nhs => keys.Nhs,
        LinkKey.Upn => keys.Upn,
        LinkKey.NameDob => keys.NameDob,
        LinkKey.Attributor => keys.Attributor,
        _ => keys.Local,
    };

    private static IEnumerable<(LinkKey Key, string Token)> Tokens(PersonKeys keys)
    {
        foreach (var key in LinkKeys.SamePartnerOrder)
        {
            if (TokenOf(keys, key) is { } token)
            {
                yield return (key, token);
            }
        }
    }
}

/// <summary>Each key's last token looked up and its outcome: consecutive mart rows of one person share token instances.</summary>
internal sealed class RecentLookups
{
    public string?[] Tokens { get; } = new string?[5];

    public int[] Matches { get; } = new int[5];

    public int[] Persons { get; } = new int[5];
}
