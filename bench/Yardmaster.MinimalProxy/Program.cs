// The floor of the gateway benchmark: the least a .NET reverse proxy does (Kestrel in, HttpClient out,
// bytes copied), with none of yard's work (validation, tasks, scheduling, statistics). Measured next to
// yard and nginx by bench/gateway.sh, it separates what the platform costs on this machine from what
// yard adds. Usage: dotnet Yardmaster.MinimalProxy.dll UPSTREAM_URL PORT
//
// With --answer FILE instead of UPSTREAM_URL, the floor of a cache hit (bench/cache-hit.sh): the POST's body is read
// and parsed as JSON, and FILE's bytes are the answer; nothing else.
using System.Net;
using System.Net.Http.Headers;

var port = int.Parse(args[^1], System.Globalization.CultureInfo.InvariantCulture);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
var app = builder.Build();
if (args[0] == "--answer")
{
    var answer = File.ReadAllBytes(args[1]);
    app.MapGet("/health", () => "ok");
    app.MapPost("/v1/chat/completions", async (HttpContext http) =>
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        using var document = System.Text.Json.JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = answer.Length;
        await http.Response.Body.WriteAsync(answer, http.RequestAborted);
    });
    app.Run();
    return;
}

var upstream = new Uri(args[0]);
using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, ActivityHeadersPropagator = null, MaxConnectionsPerServer = int.MaxValue });
app.MapGet("/health", () => "ok");
app.MapPost("/v1/chat/completions", async (HttpContext http) =>
{
    using var body = new MemoryStream();
    await http.Request.Body.CopyToAsync(body, http.RequestAborted);
    using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = new ByteArrayContent(body.ToArray()) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
    http.Response.StatusCode = (int)response.StatusCode;
    http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
    await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
});
app.Run();
