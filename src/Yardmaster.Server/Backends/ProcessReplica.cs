using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Yardmaster.Core.Configuration;
using Yardmaster.Runtime.Serving;

namespace Yardmaster.Server.Backends;

/// <summary>
/// A model server that Yardmaster starts as a child process (<c>yard model-server</c>, <c>llama-server</c>,
/// <c>vllm serve</c>): a free loopback port, output to a log file, ready when <c>/health</c> or
/// <c>/v1/models</c> answers 200, stopped with SIGTERM then SIGKILL after the grace period. Its RSS is its
/// measured footprint. A child that exits on its own completes <see cref="Exited"/>.
/// </summary>
internal sealed class ProcessReplica : IServingReplica
{
    private readonly Process _process;
    private readonly OpenAiForwarder _forwarder;
    private readonly TimeSpan _grace;
    private readonly Task _output;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private ProcessReplica(Process process, OpenAiForwarder forwarder, TimeSpan grace, Task output, string logPath)
    {
        _process = process;
        _forwarder = forwarder;
        _grace = grace;
        _output = output;
        LogPath = logPath;
        _ = WatchAsync();
    }

    /// <summary>The child's combined output.</summary>
    public string LogPath { get; }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <inheritdoc />
    public long MemoryBytes => ResidentBytes(_process.Id);

    /// <inheritdoc />
    public Task Exited => _exited.Task;

    /// <inheritdoc />
    public string? ExitReason { get; private set; }

    public static async Task<ProcessReplica> StartAsync(ModelDefinition definition, int replica, BackendOptions options, HttpClient client, TimeProvider time, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var args = CommandLine.Expand(definition, port, options.YardCommand);
        if (args.Count == 0)
        {
            throw new ReplicaStartException($"model '{definition.Name}': the command is empty");
        }

        Directory.CreateDirectory(options.LogDirectory);
        var logPath = Path.Combine(options.LogDirectory, string.Create(CultureInfo.InvariantCulture, $"{Sanitize(definition.Name)}-{replica}-{time.GetUtcNow():yyyyMMdd-HHmmss-fff}.log"));
        var start = new ProcessStartInfo(args[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in args.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ReplicaStartException($"model '{definition.Name}': could not start '{args[0]}'");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ReplicaStartException($"model '{definition.Name}': cannot run '{args[0]}': {e.Message}", e);
        }

        var log = new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
        var output = PumpAsync(process, log);
        var baseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/v1/"));
        try
        {
            await WaitReadyAsync(definition, process, port, client, time, logPath, output, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Stop(process, TimeSpan.Zero);
            await output.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            process.Dispose();
            throw;
        }

        var upstream = definition.UpstreamModel ?? await HttpReplica.UpstreamNameAsync(client, baseUrl, null, cancellationToken).ConfigureAwait(false);
        return new ProcessReplica(process, new OpenAiForwarder(client, baseUrl, null, upstream, time) { SendsPriority = true }, definition.StopGrace, output, logPath);
    }

    /// <inheritdoc />
    public Task<ForwardReport> ForwardAsync(ForwardCall call, HttpContext http, CancellationToken cancellationToken) =>
        _forwarder.ForwardAsync(call, http, cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after the grace period; waits for the exit and the log to close.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.SigTerm);
            using var grace = new CancellationTokenSource(_grace);
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        await _output.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    private async Task WatchAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        if (!_stopping)
        {
            ExitReason = $"the model server (pid {_process.Id}) exited with code {ExitCode(_process)}; log: {LogPath}";
            _exited.TrySetResult();
        }
    }

    private static Task WaitReadyAsync(ModelDefinition definition, Process process, int port, HttpClient client, TimeProvider time, string logPath, Task output, CancellationToken cancellationToken) =>
        ReadyProbe.WaitAsync(
            new Uri($"http://127.0.0.1:{port}/"),
            client,
            time,
            definition.ReadyTimeout,
            TimeSpan.FromMilliseconds(50),
            async () =>
            {
                if (!process.HasExited)
                {
                    return null;
                }

                // Its pipes close at exit: let the pump write what it printed last before the tail is read.
                await output.WaitAsync(TimeSpan.FromSeconds(2), time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return $"model '{definition.Name}': the command exited with code {ExitCode(process)} before it was ready; last output:{Environment.NewLine}{Tail(logPath)}";
            },
            () => $"model '{definition.Name}': not ready after {definition.ReadyTimeout.TotalSeconds:0.#} s (ready_timeout); last output:{Environment.NewLine}{Tail(logPath)}",
            cancellationToken);

    private static async Task PumpAsync(Process process, FileStream log)
    {
        await using (log.ConfigureAwait(false))
        {
            var gate = new SemaphoreSlim(1, 1);
            async Task Copy(StreamReader reader)
            {
                var buffer = new char[4096];
                int read;
                while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(buffer, 0, read);
                    await gate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        await log.WriteAsync(bytes).ConfigureAwait(false);
                        await log.FlushAsync().ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }

            await Task.WhenAll(Copy(process.StandardOutput), Copy(process.StandardError)).ConfigureAwait(false);
            gate.Dispose();
        }
    }

    private static void Stop(Process process, TimeSpan grace)
    {
        if (!process.HasExited)
        {
            Signals.Send(process.Id, Signals.SigTerm);
            if (!process.WaitForExit(grace))
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string ExitCode(Process process) => process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "?";

    internal static string Tail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(Environment.NewLine, lines.TakeLast(20));
        }
        catch (IOException)
        {
            return "(no output)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    internal static string Sanitize(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
