namespace DataHub.Seeds;

/// <summary>The name pools people are drawn from; a few carry accents, apostrophes and hyphens as real extracts do.</summary>
internal static class Names
{
    public static readonly string[] Female =
    [
        "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella", "Lily", "Evie", "Isabella", "Freya",
        "Charlotte", "Daisy", "Chloé", "Zoë", "Renée", "Siân", "Aoife", "Niamh", "Maryam", "Aisha", "Fatima", "Zainab", "Hannah",
        "Jessica", "Lauren", "Rebecca", "Sarah", "Kirsty", "Leanne", "Gemma", "Natalie", "Stacey", "Danielle", "Kayleigh", "Chantelle",
        "Jade", "Paige", "Shannon", "Courtney", "Maisie", "Ruby", "Matilda", "Harriet", "Imogen", "Ellie", "Lucy", "Amber", "Holly",
    ];

    public static readonly string[] Male =
    [
        "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas", "Henry",
        "William", "Alfie", "Joshua", "Freddie", "Archie", "James", "Ethan", "Seán", "José", "Rhys", "Owain", "Dáire", "Kieran",
        "Liam", "Connor", "Callum", "Jordan", "Ryan", "Jamie", "Lee", "Dean", "Wayne", "Craig", "Darren", "Gareth", "Stuart",
        "Ibrahim", "Yusuf", "Ali", "Hamza", "Tyler", "Kyle", "Reece", "Bradley", "Lewis", "Mason", "Riley", "Logan", "Dylan",
    ];

    public static readonly string[] Surnames =
    [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans",
        "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Hussain", "Begum", "Ahmed",
        "Ali", "Shah", "O'Brien", "O'Connor", "McCarthy", "Murphy", "Kelly", "Doherty", "Smith-Jones", "Lloyd-Davies", "Núñez",
        "Bélanger", "Kowalski", "Nowak", "Lewandowski", "Popescu", "Ionescu", "Okafor", "Mensah", "Adeyemi", "Osei", "Campbell",
        "Stewart", "Anderson", "Scott", "Morris", "Cooper", "Ward", "Turner", "Hill", "Moore", "King", "Baker", "Harris", "Lewis",
        "Martin", "Cook", "Bell", "Mitchell", "Carter", "Phillips", "Parker", "Bennett", "Price", "Hughes", "Edwards", "Collins",
        "Marshall", "Ellis", "Fox", "Hunt", "Palmer", "Mills", "Holmes", "Lawson",
    ];

    public static readonly string[] Teams = ["North", "South", "East", "West", "Central"];

    public static readonly string[] Programmes = ["Freedom Programme", "Caring Dads", "DRIVE", "Recovery Toolkit", "Building Better Relationships"];
}

/// <summary>Derives independent, deterministic random streams from the seed and a purpose, so each feed's rows do not
/// depend on the order others were generated in.</summary>
internal static class Streams
{
    public static Random For(int seed, string purpose, int index = 0)
    {
        // FNV-1a over the purpose, then a splitmix64 finaliser: stable across processes (string.GetHashCode is not).
        var h = 14695981039346656037UL;
        foreach (var c in purpose)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h ^= ((ulong)(uint)seed << 32) | (uint)index;
        h += 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return new Random((int)(h & 0x7FFFFFFF));
    }

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static DateOnly Between(this Random random, DateOnly from, DateOnly to) =>
        to <= from ? from : from.AddDays(random.Next(to.DayNumber - from.DayNumber + 1));

    /// <summary>A Poisson-distributed count (Knuth's method; fine for the small means used here).</summary>
    public static int Poisson(this Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var count = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            count++;
        }

        return count;
    }
}
