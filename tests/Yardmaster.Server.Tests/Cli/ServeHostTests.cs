using System.Net;
using System.Net.Sockets;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// What the yard process takes from where it runs: no ASP.NET Core configuration (an <c>appsettings.json</c> in the working
/// directory, <c>ASPNETCORE_</c> variables), and the socket tuning it applies for itself without passing it on to the
/// processes it starts.
/// </summary>
public sealed class ServeHostTests : IDisposable
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Serve_KestrelEndpointsInAppSettingsAndEnvironment_ListensOnlyOnItsOwnPort()
    {
        int fromFile = FreePort(), fromUrls = FreePort(), fromVariable = FreePort();
        var work = _home.File("work");
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "appsettings.json"), $$"""{ "Kestrel": { "Endpoints": { "Extra": { "Url": "http://127.0.0.1:{{fromFile}}" } } } }""", TestContext.Current.CancellationToken);
        var env = YardServeFixture.Environment(_home.Path);
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{fromUrls}";
        env["ASPNETCORE_Kestrel__Endpoints__Env__Url"] = $"http://127.0.0.1:{fromVariable}";

        await using var serve = YardProcess.Start(["serve", "--config", await ConfigAsync(), "--port", "0", "--data", _home.File("data")], env, workingDirectory: work);
        var url = await serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(new Uri(url), "/health"), TestContext.Current.CancellationToken)).StatusCode);
        foreach (var port in new[] { fromFile, fromUrls, fromVariable })
        {
            Assert.True(Refused(port), $"yard listens on {port}, which only the ASP.NET Core configuration named. stdout: {serve.Stdout}");
        }
    }

    [Fact]
    public async Task Serve_SocketEventThreads_OnePerCoreUnlessTheUserSetTheVariable()
    {
        var env = YardServeFixture.Environment(_home.Path);
        await using (var serve = YardProcess.Start(["serve", "--config", await ConfigAsync(), "--port", "0", "--data", _home.File("data")], env, unset: [InlineCompletions]))
        {
            await serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
            Assert.Equal(Environment.ProcessorCount, SocketEventThreads(serve.Id));
            await serve.TerminateAsync(TimeSpan.FromSeconds(30));
        }

        if (Environment.ProcessorCount > 1)
        {
            env[InlineCompletions] = "0";
            await using var optedOut = YardProcess.Start(["serve", "--config", await ConfigAsync(), "--port", "0", "--data", _home.File("data2")], env);
            await optedOut.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));
            Assert.True(SocketEventThreads(optedOut.Id) < Environment.ProcessorCount, "the user's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 was overridden");
        }
    }

    [Fact]
    public async Task Run_Step_DoesNotInheritTheSocketTuningButKeepsTheUsersValue()
    {
        var file = _home.File("env.yaml");
        await File.WriteAllTextAsync(file, $$"""
            name: env
            steps:
              - id: show
                run: echo "inline=${{{InlineCompletions}}-unset}"
            """, TestContext.Current.CancellationToken);

        Assert.Equal("inline=unset\n", await StepLogAsync(file, _home.File("data"), environment: null, unset: [InlineCompletions]));
        Assert.Equal("inline=1\n", await StepLogAsync(file, _home.File("data2"), new Dictionary<string, string> { [InlineCompletions] = "1" }, unset: null));
    }

    /// <summary>Runs the pipeline with <c>yard run</c> and returns the log of its step <c>show</c>.</summary>
    private static async Task<string> StepLogAsync(string file, string data, Dictionary<string, string>? environment, string[]? unset)
    {
        var (code, stdout, stderr) = await YardProcess.RunAsync(["run", file, "--data", data, "--output", "json"], environment, unset);
        Assert.True(code == 0, stderr + stdout);
        using var run = System.Text.Json.JsonDocument.Parse(stdout);
        var logs = await YardProcess.RunAsync(["logs", run.RootElement.GetProperty("id").GetString()!, "show", "--data", data]);
        return logs.Stdout;
    }

    private async Task<string> ConfigAsync()
    {
        var config = _home.File("yard.yaml");
        await File.WriteAllTextAsync(config, $$"""
            models:
              - { name: stories, backend: builtin, path: "{{SharedModels.Stories260K}}", slots: 1 }
            """, TestContext.Current.CancellationToken);
        return config;
    }

    /// <summary>The runtime's socket event threads (named ".NET Sockets") of process <paramref name="pid"/>.</summary>
    private static int SocketEventThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Count(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == ".NET Sockets");

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static bool Refused(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}
