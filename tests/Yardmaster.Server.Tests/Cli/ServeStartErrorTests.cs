using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Yardmaster.Cli.Commands;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>Why <c>yard serve</c> (or an embedded <c>yard run</c>) cannot start where it is asked, in one line that says what to do.</summary>
public sealed class ServeStartErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Serve_PortInUse_Exits1NamingTheAddressAndPortOptionBeforePullingTheDefaultModel()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", _dir.File("data")], YardServeFixture.Environment(_dir.Path));

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"error: cannot listen on 127.0.0.1:{port}: the address is already in use (another 'yard serve' or another program listens there); pick another port with --port N (or --port 0 for any free one)\n", stderr);
        Assert.False(Directory.Exists(_dir.File("models")), "the default model is not pulled for a server that cannot start");
    }

    [Fact]
    public async Task ListenCheck_KestrelCannotBind_DescribesItAsTheAddressInUse()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(
            $"cannot listen on 127.0.0.1:{port}: the address is already in use (another 'yard serve' or another program listens there); pick another port with --port N (or --port 0 for any free one)",
            ListenCheck.Describe(thrown, "127.0.0.1", port));
    }

    [Fact]
    public async Task Serve_DataFolderOfARunningServe_Exits1NamingItsPidAndUrl()
    {
        var config = _dir.File("yard.yaml");
        await File.WriteAllTextAsync(config, "auth: { admin_keys: [start-error-admin-key] }\n", TestContext.Current.CancellationToken);
        var data = _dir.File("data");
        await using var first = YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", data], YardServeFixture.Environment(_dir.Path));
        var url = await first.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));

        var (code, stdout, stderr) = await YardProcess.RunAsync(["serve", "--config", config, "--port", "0", "--data", data], YardServeFixture.Environment(_dir.Path));

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"error: another Yardmaster scheduler is using {data}: 'yard serve' (pid {first.Id}) at {url}; send pipelines to it with --server {url}, stop it, or use another --data folder\n", stderr);
    }

    [Fact]
    public async Task Run_DataFolderOfARunningEmbeddedRun_Exits1NamingYardRunAndItsPid()
    {
        var data = _dir.File("data");
        var gate = _dir.File("go");
        await File.WriteAllTextAsync(_dir.File("wait.yaml"), $"name: wait\nsteps:\n  - id: wait\n    run: while [ ! -f {gate} ] && [ -d {_dir.Path} ]; do sleep 0.05; done\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(_dir.File("other.yaml"), "name: other\nsteps:\n  - id: a\n    run: \"true\"\n", TestContext.Current.CancellationToken);
        await using var first = YardProcess.Start(["run", _dir.File("wait.yaml"), "--data", data], YardServeFixture.Environment(_dir.Path));
        await first.WaitForLineAsync("  wait: running", TimeSpan.FromSeconds(60));

        var (code, _, stderr) = await YardProcess.RunAsync(["run", _dir.File("other.yaml"), "--data", data], YardServeFixture.Environment(_dir.Path));
        await File.WriteAllTextAsync(gate, string.Empty, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Equal($"error: another Yardmaster scheduler is using {data}: 'yard run' (pid {first.Id}); wait for it to end or stop it, or use another --data folder (a 'yard serve' there takes pipelines with --server URL)\n", stderr);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }
}
