using DataHub.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: the Functions host starts this process, which serves IngestExtract, RollupQuarter, SweepLanding and
// EnforceRetention. Every hub service is registered in one place, AddDataHub, which the tests use as well.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddDataHub(builder.Configuration);
await builder.Build().RunAsync().ConfigureAwait(false);
