using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace DataHub.Azure.Tests;

/// <summary>A loopback HTTP proxy in front of a storage endpoint that can answer with a fault instead of forwarding.</summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private int _faults;
    private int _forwarded;

    private FaultProxy(WebApplication app) => _app = app;

    /// <summary>Decides per request: a status code to answer with instead of forwarding, or null to forward.</summary>
    public Func<HttpRequest, int?> Fault { get; set; } = _ => null;

    /// <summary>Decides per request, once the target has answered: a status code to answer with instead (the target's answer is lost), or null to pass it on.</summary>
    public Func<HttpRequest, int?> LoseAnswer { get; set; } = _ => null;

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>How many requests were answered with a fault.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>How many requests reached the target.</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>Starts a proxy forwarding to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static async Task<FaultProxy> StartAsync(int targetPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new FaultProxy(app);
        app.Run(context => proxy.HandleAsync(context, targetPort));
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("No server.");
        proxy.Port = new Uri(address).Port;
        return proxy;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private async Task HandleAsync(HttpContext context, int targetPort)
    {
        if (Fault(context.Request) is { } status)
        {
            Interlocked.Increment(ref _faults);
            context.Response.StatusCode = status;
            if (status == 403)
            {
                // As the service says when the identity holds no data role there (its code is read from this header).
                context.Response.Headers["x-ms-error-code"] = "AuthorizationPermissionMismatch";
            }

            return;
        }

        Interlocked.Increment(ref _forwarded);
        // The raw target, byte for byte: re-encoding the path (e.g. %3D back to '=') would change what the signature covers.
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var target = new Uri($"http://127.0.0.1:{targetPort}{raw}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (body.Length > 0 || context.Request.ContentLength is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (LoseAnswer(context.Request) is { } lost)
        {
            Interlocked.Increment(ref _faults);
            context.Response.StatusCode = lost;
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (context.Request.Method != HttpMethods.Head && response.StatusCode != HttpStatusCode.NoContent)
        {
            await response.Content.CopyToAsync(context.Response.Body);
        }
    }
}
