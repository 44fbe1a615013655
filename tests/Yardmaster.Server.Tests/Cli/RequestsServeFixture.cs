namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// A real <c>yard serve -v</c> with one builtin model of one slot (<c>one-slot</c>), a queue of one, tasks
/// <c>nightly-summaries</c> (batch) and <c>chat</c> (normal), and no keys configured: the admin token is generated in
/// the data folder, where the CLI finds it.
/// </summary>
public sealed class RequestsServeFixture : ServeProcessFixture
{
    protected override string Yaml => $$"""
            scheduler: { max_queue: 1 }
            models:
              - { name: one-slot, backend: builtin, path: "{{SharedModels.Stories260K}}", slots: 1, context: 2048 }
            tasks:
              - { name: nightly-summaries, priority: batch, models: [one-slot] }
              - { name: chat, priority: normal, models: [one-slot] }
            """;

    protected override IEnumerable<string> ServeOptions => ["-v"];

    /// <summary>The data folder of the server (its admin.token inside).</summary>
    public string DataDirectory => Path.Combine(Home, "data");

    /// <summary>Runs <c>yard</c> against this server with <c>--server</c> and <c>--data</c> (the admin token read from there).</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        YardProcess.RunAsync([.. args, "--server", Url, "--data", DataDirectory], YardServeFixture.Environment(Home));

    /// <summary>A client that sends the generated admin token.</summary>
    public HttpClient Client()
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        var token = File.ReadAllText(Path.Combine(DataDirectory, "admin.token")).Trim();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
