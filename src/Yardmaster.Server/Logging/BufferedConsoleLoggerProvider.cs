using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Yardmaster.Server.Logging;

/// <summary>
/// The console logger of the servers: lines formatted as <c>AddSimpleConsole</c>/<c>AddJsonConsole</c> format them
/// (the same <see cref="ConsoleFormatter"/>, chosen by <see cref="ConsoleLoggerOptions.FormatterName"/>), handed to one
/// writer thread through a lock-free queue, and written to standard output in blocks: an idle server's line is out at
/// once; while lines keep coming, the writer writes what has gathered every <see cref="BatchWindow"/>, one write for many
/// lines, and wakes no more often than that.
/// </summary>
/// <remarks>
/// Why not the framework's console provider: at one access line per request, its queue (a lock and a pulse per line)
/// and its auto-flushed <c>Console.Out</c> (one <c>write(2)</c> per line) cost a cached answer about a fifth of the
/// server's CPU (<c>bench/cache-hit.sh</c>, docs/results.md). As with that provider, a producer waits while
/// <see cref="MaxQueuedLines"/> lines are queued (standard output blocked), rather than losing lines.
/// </remarks>
[ProviderAlias("Console")]
public sealed class BufferedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>Lines queued at most before a logging thread waits for the writer (the framework's default is 2,500).</summary>
    public const int MaxQueuedLines = 10_000;

    /// <summary>How long the writer lets lines gather after a write, while they keep coming.</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(10);

    private readonly ConsoleFormatter _formatter;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0); // no spinning: the cores are for the requests
    private readonly ManualResetEventSlim _stop = new(false, spinCount: 0);
    private readonly TextWriter _output;
    private readonly Thread _writer;
    private volatile bool _stopping;
    private volatile bool _broken;
    private int _queued;
    private int _parked;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Writes to standard output, with the formatter <paramref name="options"/> names among <paramref name="formatters"/>.</summary>
    public BufferedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(Pick(options, formatters), Console.OpenStandardOutput())
    {
    }

    /// <summary>Writes to <paramref name="output"/> (owned: disposed with the provider) with <paramref name="formatter"/>.</summary>
    public BufferedConsoleLoggerProvider(ConsoleFormatter formatter, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _formatter = formatter ?? throw new ArgumentNullException(nameof(formatter));
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024) { AutoFlush = false };
        _writer = new Thread(Write) { IsBackground = true, Name = "Console logger" };
        _writer.Start();
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Writes what is queued, flushes and closes the output.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _stop.Set(); // a writer letting lines gather writes them now
        _wake.Set();
        if (_writer.Join(TimeSpan.FromSeconds(5))) // a blocked standard output must not hold the stop for ever
        {
            _wake.Dispose();
            _stop.Dispose();
        }
    }

    private static ConsoleFormatter Pick(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
    {
        var name = options.CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple;
        return formatters.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"no console formatter named '{name}' is registered");
    }

    private void Enqueue(string line)
    {
        if (_broken)
        {
            return;
        }

        if (Interlocked.Increment(ref _queued) > MaxQueuedLines)
        {
            var wait = new SpinWait();
            while (Volatile.Read(ref _queued) > MaxQueuedLines && !_stopping && !_broken)
            {
                wait.SpinOnce(sleep1Threshold: 10);
            }
        }

        _lines.Enqueue(line);
        // Only a parked writer is woken, by the one producer that unparks it.
        if (Volatile.Read(ref _parked) == 1 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            _wake.Set();
        }
    }

    private void Write()
    {
        try
        {
            while (!_stopping)
            {
                if (Drain())
                {
                    _output.Flush();
                    _stop.Wait(BatchWindow);
                    continue;
                }

                _wake.Reset();
                Volatile.Write(ref _parked, 1);
                // A line queued before the writer said it was parked would wait for the next one: look once more.
                if (!_lines.IsEmpty && Interlocked.Exchange(ref _parked, 0) == 1)
                {
                    continue;
                }

                _wake.Wait();
            }

            Drain();
            _output.Flush();
        }
        catch (IOException)
        {
            // Standard output is gone (the reader of a pipe exited): nothing more can be written; the producers must not wait for it.
            _broken = true;
            _lines.Clear();
        }
        finally
        {
            try
            {
                _output.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Writes every queued line to the output's buffer; false when there was none.</summary>
    private bool Drain()
    {
        var any = false;
        while (_lines.TryDequeue(out var line))
        {
            _output.Write(line);
            Interlocked.Decrement(ref _queued);
            any = true;
        }

        return any;
    }

    private sealed class Logger(BufferedConsoleLoggerProvider provider, string category) : ILogger
    {
        [ThreadStatic]
        private static StringWriter? t_text;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = t_text ??= new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
            provider._formatter.Write(in entry, provider._scopes, text);
            var builder = text.GetStringBuilder();
            if (builder.Length == 0)
            {
                return;
            }

            var line = builder.ToString();
            builder.Clear();
            if (builder.Capacity > 4096)
            {
                builder.Capacity = 4096;
            }

            provider.Enqueue(line);
        }
    }
}
