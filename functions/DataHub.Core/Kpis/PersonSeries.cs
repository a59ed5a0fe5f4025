namespace DataHub.Core.Kpis;

/// <summary>Records grouped by person and sorted by date once, so each indicator reads a person's records as a span.</summary>
/// <typeparam name="T">The linked record type.</typeparam>
public sealed class PersonSeries<T>
    where T : struct
{
    private readonly T[] _items;
    private readonly int[] _offsets;

    /// <summary>Groups <paramref name="records"/> by <paramref name="person"/>, each person's in <paramref name="order"/>.</summary>
    public PersonSeries(IEnumerable<T> records, int people, Func<T, int> person, Comparison<T> order)
        : this(SortedByPerson(records, person, order), people, person)
    {
    }

    private PersonSeries(T[] sorted, int people, Func<T, int> person)
    {
        _items = sorted;
        _offsets = new int[people + 1];
        foreach (var item in _items)
        {
            _offsets[person(item) + 1]++;
        }

        for (var i = 1; i <= people; i++)
        {
            _offsets[i] += _offsets[i - 1];
        }
    }

    /// <summary>
    /// As the public constructor, with one comparison that orders by person and then by date: the same sort, without three
    /// delegate calls per comparison (the records of a county-scale run are sorted here).
    /// </summary>
    internal static PersonSeries<T> Sorted(IEnumerable<T> records, int people, Func<T, int> person, Comparison<T> byPersonThenOrder)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(person);
        var items = records.ToArray();
        Array.Sort(items, byPersonThenOrder);
        return new PersonSeries<T>(items, people, person);
    }

    private static T[] SortedByPerson(IEnumerable<T> records, Func<T, int> person, Comparison<T> order)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(person);
        var items = records.ToArray();
        Array.Sort(items, (a, b) =>
        {
            var byPerson = person(a).CompareTo(person(b));
            return byPerson != 0 ? byPerson : order(a, b);
        });
        return items;
    }

    /// <summary>An empty series for <paramref name="people"/> people.</summary>
    public static PersonSeries<T> Empty(int people) => new([], people, _ => 0, (_, _) => 0);

    /// <summary>How many records in all.</summary>
    public int Count => _items.Length;

    /// <summary>The person's records in date order.</summary>
    public ReadOnlySpan<T> For(int person) => _items.AsSpan(_offsets[person], _offsets[person + 1] - _offsets[person]);
}
