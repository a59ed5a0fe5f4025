using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Functions;

/// <summary>
/// The Azure Functions custom handler: Kestrel on 127.0.0.1:{FUNCTIONS_CUSTOMHANDLER_PORT}, one POST route per function
/// (/IngestExtract, /RollupQuarter, /EnforceRetention). A failure answers HTTP 500 with a message naming only the
/// function and the error's type, so the host retries and nothing identifying reaches its logs.
/// </summary>
public static class CustomHandler
{
    /// <summary>The function names, which are also the folder names holding each function.json.</summary>
    public static IReadOnlyList<string> FunctionNames { get; } = ["IngestExtract", "RollupQuarter", "EnforceRetention"];

    /// <summary>Builds the handler app listening on loopback at <paramref name="port"/> (0 = any free port).</summary>
    public static WebApplication Build(IHubFunctions functions, int port, ILoggerFactory? logging = null)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            builder.Services.AddSingleton(logging);
        }

        var app = builder.Build();
        var logger = (logging ?? app.Services.GetRequiredService<ILoggerFactory>()).CreateLogger("DataHub.Functions");

        Func<InvocationRequest, CancellationToken, Task<FunctionResult>> ingest = (request, ct) =>
        {
            var blob = BlobTriggerEvent.From(request);
            return functions.IngestAsync(blob.LandingPath, blob.ETag, ct);
        };
        Func<InvocationRequest, CancellationToken, Task<FunctionResult>> rollup = (request, ct) => functions.RollupAsync(TimerTriggerEvent.From(request), ct);
        Func<InvocationRequest, CancellationToken, Task<FunctionResult>> retention = (request, ct) => functions.EnforceRetentionAsync(TimerTriggerEvent.From(request), ct);
        app.MapPost("/IngestExtract", context => InvokeAsync(context, "IngestExtract", logger, ingest));
        app.MapPost("/RollupQuarter", context => InvokeAsync(context, "RollupQuarter", logger, rollup));
        app.MapPost("/EnforceRetention", context => InvokeAsync(context, "EnforceRetention", logger, retention));
        return app;
    }

    private static async Task InvokeAsync(HttpContext context, string function, ILogger logger, Func<InvocationRequest, CancellationToken, Task<FunctionResult>> run)
    {
        var cancellationToken = context.RequestAborted;
        InvocationResponse response;
        int status;
        try
        {
            var request = await context.Request.ReadFromJsonAsync<InvocationRequest>(InvocationJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidInvocationException("The request body is empty.");
            var result = await run(request, cancellationToken).ConfigureAwait(false);
            status = result.Retry ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
            response = new InvocationResponse { Logs = [$"{function}: {result.Summary}"] };
            logger.LogInformation("{Function}: {Summary}", function, result.Summary);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // The host gave up on this invocation; it will deliver it again.
        }
#pragma warning disable CA1031 // Any failure must become a 500 the host retries, never a crash of the handler process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Type only: exception messages are written to be value-free, but the host's logs are the wrong place to rely on it.
            status = StatusCodes.Status500InternalServerError;
            response = new InvocationResponse { Logs = [$"{function} failed ({ex.GetType().Name}); it will be retried. Details are in the hub's audit log."] };
            logger.LogError("{Function} failed with {ErrorType}", function, ex.GetType().Name);
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(response, InvocationJson.Options, cancellationToken).ConfigureAwait(false);
    }
}
