using System.IO.Pipes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Yardmaster.Runtime.Logging;
using Yardmaster.Server.Logging;

namespace Yardmaster.Server.Tests.Cli;

/// <summary>
/// The servers' console logger: every line written once, in each thread's order, with its scopes; an idle server's line
/// out without waiting for the stop; a gone reader neither blocks nor fails the loggers. Written to real files and pipes.
/// </summary>
public sealed class BufferedConsoleLoggerProviderTests
{
    [Fact]
    public void Log_ManyThreads_EveryLineOnceInEachThreadsOrderWithItsScope()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "out.log");
        const int threads = 4, perThread = 5_000;
        using (var services = SimpleConsole())
        {
            // A provider given as an instance is not the factory's to dispose: the stop below is what flushes it.
            using var provider = new BufferedConsoleLoggerProvider(Formatter(services, ConsoleFormatterNames.Simple), File.Create(path));
            using (var factory = LoggerFactory.Create(b => b.AddProvider(provider)))
            {
                var logger = factory.CreateLogger("Yardmaster.Test");
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    for (var i = 0; i < perThread; i++)
                    {
                        using (logger.BeginScope(LogScope.Request($"req_{t}_{i}")))
                        {
                            logger.LogWarning("line {Thread} {Index}", t, i);
                        }
                    }
                });
            }
        }

        // "warn: Yardmaster.Test[0] => request req_T_I line T I"
        var lines = File.ReadAllLines(path);
        Assert.Equal(threads * perThread, lines.Length);
        var parsed = lines.Select(l => l.Split(' ')).ToList();
        Assert.All(parsed, f => Assert.Equal(["warn:", "Yardmaster.Test[0]", "=>", "request", $"req_{f[^2]}_{f[^1]}", "line"], f[..^2]));
        for (var t = 0; t < threads; t++)
        {
            var mine = parsed.Where(f => f[^2] == t.ToString(System.Globalization.CultureInfo.InvariantCulture)).Select(f => int.Parse(f[^1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, perThread), mine);
        }
    }

    [Fact]
    public void Log_LinesLongerThanABlockAndCharactersBeyondAscii_WrittenWholeInOrder()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "out.log");
        // Characters of two, three and four bytes (a surrogate pair), long enough for the formatter's builder to chunk.
        var wide = string.Concat(Enumerable.Repeat("é€😀", 30_000));
        using (var services = SimpleConsole())
        {
            using var provider = new BufferedConsoleLoggerProvider(Formatter(services, ConsoleFormatterNames.Simple), File.Create(path));
            var logger = provider.CreateLogger("Yardmaster.Test");
            logger.LogWarning("short {Index}", 1);
            logger.LogWarning("long {Text}", wide); // about 270 KB: more than a block
            logger.LogWarning("short {Index}", 2);
        }

        Assert.True(wide.Length * 3 > BufferedConsoleLoggerProvider.BlockBytes);
        Assert.Equal(
            ["warn: Yardmaster.Test[0] short 1", "warn: Yardmaster.Test[0] long " + wide, "warn: Yardmaster.Test[0] short 2"],
            File.ReadAllLines(path, System.Text.Encoding.UTF8));
    }

    [Fact]
    public async Task Log_IdleLogger_LineIsInTheFileBeforeTheProviderStops()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "out.log");
        using var services = SimpleConsole();
        using var provider = new BufferedConsoleLoggerProvider(Formatter(services, ConsoleFormatterNames.Simple), new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite));
        provider.CreateLogger("Yardmaster.Test").LogError("one line, then silence");

        var written = string.Empty;
        for (var i = 0; i < 200 && !written.Contains("one line, then silence", StringComparison.Ordinal); i++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
            using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            written = await new StreamReader(read).ReadToEndAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal("fail: Yardmaster.Test[0] one line, then silence" + Environment.NewLine, written);
    }

    [Fact]
    public void Log_ReaderGone_LoggersNeitherBlockNorThrow()
    {
        using var services = SimpleConsole();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using (var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle))
        {
            pipe.DisposeLocalCopyOfClientHandle();
        }

        // More lines than the queue holds and than the pipe buffers: with a blocked or failed writer, this would hang.
        using var provider = new BufferedConsoleLoggerProvider(Formatter(services, ConsoleFormatterNames.Simple), pipe);
        var logger = provider.CreateLogger("Yardmaster.Test");
        for (var i = 0; i < 3 * BufferedConsoleLoggerProvider.MaxQueuedLines; i++)
        {
            logger.LogWarning("line {Index} to nobody", i);
        }
    }

    [Theory]
    [InlineData(LogFormat.Text, ConsoleFormatterNames.Simple)]
    [InlineData(LogFormat.Json, ConsoleFormatterNames.Json)]
    public void Configure_Servers_LogThroughTheBufferedProviderInTheirFormat(LogFormat format, string formatter)
    {
        using var services = new ServiceCollection().AddLogging(b => ConsoleLogging.Configure(b, format, LogVerbosity.Normal)).BuildServiceProvider();

        var provider = Assert.Single(services.GetServices<ILoggerProvider>());
        Assert.IsType<BufferedConsoleLoggerProvider>(provider);
        Assert.Equal(formatter, services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    private static ServiceProvider SimpleConsole() =>
        new ServiceCollection().AddLogging(b => b.AddSimpleConsole(o => (o.SingleLine, o.IncludeScopes, o.ColorBehavior) = (true, true, LoggerColorBehavior.Disabled))).BuildServiceProvider();

    private static ConsoleFormatter Formatter(IServiceProvider services, string name) =>
        services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
}
