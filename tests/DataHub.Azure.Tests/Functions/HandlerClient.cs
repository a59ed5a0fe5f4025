using System.Net;
using System.Text;
using System.Text.Json;
using DataHub.Host.Functions;
using Microsoft.AspNetCore.Builder;

namespace DataHub.Azure.Tests.Functions;

/// <summary>The custom handler on a free loopback port, and a client posting payloads to it as the Functions host does.</summary>
internal sealed class HandlerClient : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private HandlerClient(WebApplication app)
    {
        _app = app;
        _http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public static async Task<HandlerClient> StartAsync(IHubFunctions functions)
    {
        var app = CustomHandler.Build(functions, port: 0);
        await app.StartAsync();
        return new HandlerClient(app);
    }

    /// <summary>Posts a payload to /{function}; returns the status and the parsed response body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string function, string payload)
    {
        using var response = await _http.PostAsync("/" + function, new StringContent(payload, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }
}
