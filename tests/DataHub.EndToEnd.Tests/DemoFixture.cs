using DataHub.Seeds;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// Runs `datahub demo` once into a temporary root (marts written uncompressed so bytes can be scanned) for the tests that
/// inspect its outputs; then delivers files whose names and header cells carry a person's identifiers, as a careless
/// partner would, so the privacy scan covers them too.
/// </summary>
public sealed class DemoFixture : IAsyncLifetime
{
    private const string PoliceHeader = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral";
    private readonly HubRoot _root = new();

    /// <summary>A person's name, date of birth and NHS number as planted in file names, header cells and misplaced cells.</summary>
    public static IReadOnlyList<string> Planted { get; } = ["Zebedee", "Quillfeather", "4857773456", "485 777 3456", "02/03/1981", "1981-03-02", "02-03-1981"];

    internal HubRoot Root => _root;

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    /// <summary>What the command line printed for the deliveries carrying planted identifiers.</summary>
    public string PlantedOutput { get; private set; } = string.Empty;

    /// <summary>The same dataset the demo generated (same default seed).</summary>
    public SyntheticDataset Dataset { get; } = SyntheticHub.Generate(new SeedOptions());

    public async Task InitializeAsync()
    {
        (ExitCode, Output) = await _root.RunAsync("demo");

        // Stored with one row error: an identifying file name, and a row whose cells hold a surname and a date of birth where a code was expected.
        var rows = Enumerable.Range(1, 40).Select(i => $"PLT{i},2018-03-31,victim,Alexa{i},Brown,1990-04-05,F,Y,N").Append("PLT99,2018-03-31,Quillfeather,Ann,Brown,1990-04-05,F,02/03/1981,N");
        var stored = await _root.IngestAsync("police", "police-da-incidents", "Zebedee Quillfeather 1981-03-02 4857773456.csv", PoliceHeader + "\n" + string.Join("\n", rows) + "\n");

        // Quarantined: a header cell outside the contract holding the person's identifiers, under an identifying name.
        var header = PoliceHeader + ",Zebedee Quillfeather DOB 02/03/1981 NHS 485 777 3456";
        var quarantined = await _root.IngestAsync("police", "police-da-incidents", "Quillfeather, Zebedee (DOB 02-03-1981).csv", header + "\nPLT1,2018-03-31,victim,Alexa,Brown,1990-04-05,F,Y,N,x\n");
        PlantedOutput = stored.Output + quarantined.Output;
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}
