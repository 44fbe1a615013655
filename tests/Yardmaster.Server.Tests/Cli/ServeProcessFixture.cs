namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// One real <c>yard serve</c> child process shared by a test class: started from <see cref="Yaml"/> (written to
/// <c>HOME/yard.yaml</c>) on a loopback port with its data in <c>HOME/data</c>, with <c>YARD_HOME</c> set to a fresh
/// temp folder; stopped with SIGTERM and the folder removed at the end. Subclasses give the configuration and how
/// they run the CLI against it.
/// </summary>
public abstract class ServeProcessFixture : IAsyncLifetime
{
    private readonly TempDirectory _home = new();
    private YardProcess? _serve;

    /// <summary>The server's URL once it listens.</summary>
    public string Url { get; private set; } = null!;

    /// <summary>The <c>YARD_HOME</c> of the server.</summary>
    protected string Home => _home.Path;

    /// <summary>The yard.yaml text.</summary>
    protected abstract string Yaml { get; }

    /// <summary>Options added to the <c>yard serve</c> command line (none by default).</summary>
    protected virtual IEnumerable<string> ServeOptions => [];

    /// <summary>The server process, for what it printed so far.</summary>
    protected YardProcess Serve => _serve ?? throw new InvalidOperationException("not started");

    /// <summary>What the server printed so far, standard output then standard error.</summary>
    public string ServeOutput => _serve is null ? string.Empty : _serve.Stdout + _serve.Stderr;

    public async ValueTask InitializeAsync()
    {
        var config = _home.File("yard.yaml");
        await File.WriteAllTextAsync(config, Yaml);
        _serve = YardProcess.Start(["serve", "--config", config, "--port", "0", "--data", _home.File("data"), .. ServeOptions], YardServeFixture.Environment(_home.Path));
        Url = await WaitForUrlAsync(_serve);
    }

    /// <summary>Waits until the server listens and returns its URL (from the <c>listening on</c> line).</summary>
    protected virtual Task<string> WaitForUrlAsync(YardProcess serve) => serve.WaitForLineAsync("listening on ", TimeSpan.FromSeconds(60));

    /// <summary>Stops what a derived fixture started beside the server (after the server has stopped).</summary>
    protected virtual ValueTask DisposeMoreAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.TerminateAsync(TimeSpan.FromSeconds(30));
            await _serve.DisposeAsync();
        }

        await DisposeMoreAsync();
        _home.Dispose();
        GC.SuppressFinalize(this);
    }
}
