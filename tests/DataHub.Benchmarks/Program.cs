namespace DataHub.Benchmarks;

/// <summary>Runs one named benchmark and prints its figures; see tests/DataHub.Benchmarks/README.md.</summary>
public static class Program
{
    /// <summary>Dispatches to the benchmark named by the first argument.</summary>
    public static int Main(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "";
        var options = args.Skip(1).ToArray();
        switch (name)
        {
            case "parquet":
                return ParquetBenchmark.RunAsync(options).GetAwaiter().GetResult();
            case "ingest":
                return IngestBenchmark.RunAsync(options).GetAwaiter().GetResult();
            case "rollup":
                return RollupBenchmark.Run(options);
            case "hmac":
                return HmacBenchmark.Run(options);
            default:
                Console.Error.WriteLine("usage: DataHub.Benchmarks <benchmark> [options]   benchmarks: parquet, ingest, rollup, hmac");
                return 2;
        }
    }
}
