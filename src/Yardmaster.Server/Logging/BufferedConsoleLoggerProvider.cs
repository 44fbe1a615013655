using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Yardmaster.Server.Logging;

/// <summary>
/// The console logger of the servers: lines formatted as <c>AddSimpleConsole</c>/<c>AddJsonConsole</c> format them
/// (the same <see cref="ConsoleFormatter"/>, chosen by <see cref="ConsoleLoggerOptions.FormatterName"/>), encoded to
/// UTF-8 by the logging thread and appended to a block of <see cref="BlockBytes"/> (no object per line), and written to
/// standard output by one writer thread, a block at a time: an idle server's line is out at once; while lines keep
/// coming, the writer writes what has gathered every <see cref="BatchWindow"/>, one write for many lines, and wakes no
/// more often than that.
/// </summary>
/// <remarks>
/// Why not the framework's console provider: at one access line per request, its queue (a lock and a pulse per line)
/// and its auto-flushed <c>Console.Out</c> (one <c>write(2)</c> per line) cost a cached answer about a fifth of the
/// server's CPU (<c>bench/cache-hit.sh</c>, docs/results.md). Here a line costs its formatting, its encoding and a
/// copy under a lock held for nothing else. As with that provider, a producer waits while <see cref="MaxQueuedLines"/>
/// lines are queued (standard output blocked), rather than losing lines.
/// </remarks>
[ProviderAlias("Console")]
public sealed class BufferedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>Lines queued at most before a logging thread waits for the writer (the framework's default is 2,500).</summary>
    public const int MaxQueuedLines = 10_000;

    /// <summary>The size of the blocks lines are gathered in (a longer line has a block of its own).</summary>
    public const int BlockBytes = 64 * 1024;

    /// <summary>How long the writer lets lines gather after a write, while they keep coming.</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(10);

    private const int SpareBlocks = 4;

    private readonly ConsoleFormatter _formatter;
    private readonly Lock _gate = new(); // guards the blocks below and _pending
    private readonly Queue<(byte[] Bytes, int Length, int Lines)> _full = new();
    private readonly Stack<byte[]> _spare = new();
    private byte[] _block = new byte[BlockBytes];
    private int _used;
    private int _blockLines;
    private int _pending; // lines appended and not yet taken by the writer
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0); // no spinning: the cores are for the requests
    private readonly ManualResetEventSlim _stop = new(false, spinCount: 0);
    private readonly Stream _output;
    private readonly Thread _writer;
    private volatile bool _stopping;
    private volatile bool _broken;
    private int _queued; // lines logged and not yet written
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
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _formatter = formatter ?? throw new ArgumentNullException(nameof(formatter));
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

    private void Enqueue(ReadOnlySpan<byte> line)
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

        lock (_gate)
        {
            if (_broken)
            {
                return; // the writer gave up while this line waited: nothing is kept for it
            }

            if (line.Length > _block.Length - _used)
            {
                if (_used > 0)
                {
                    _full.Enqueue((_block, _used, _blockLines));
                    _block = _spare.TryPop(out var spare) ? spare : new byte[BlockBytes];
                    (_used, _blockLines) = (0, 0);
                }

                if (line.Length > _block.Length)
                {
                    _spare.Push(_block);
                    _block = new byte[line.Length];
                }
            }

            line.CopyTo(_block.AsSpan(_used));
            _used += line.Length;
            _blockLines++;
            _pending++;
        }

        // Only a parked writer is woken, by the one producer that unparks it. The barrier orders this producer's append
        // before its read of _parked, as the writer's exchange orders its parking before its read of _pending: one of
        // the two sees the other.
        Interlocked.MemoryBarrier();
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
                Interlocked.Exchange(ref _parked, 1);
                // A line appended before the writer said it was parked would wait for the next one: look once more.
                if (Volatile.Read(ref _pending) > 0 && Interlocked.Exchange(ref _parked, 0) == 1)
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
            lock (_gate)
            {
                _full.Clear();
                _spare.Clear();
                (_block, _used, _blockLines, _pending) = ([], 0, 0, 0);
            }
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

    /// <summary>Writes every block gathered so far to the output; false when there was none.</summary>
    private bool Drain()
    {
        var any = false;
        while (Take() is { } block)
        {
            try
            {
                _output.Write(block.Bytes, 0, block.Length);
            }
            finally
            {
                Interlocked.Add(ref _queued, -block.Lines);
                lock (_gate)
                {
                    if (block.Bytes.Length == BlockBytes && _spare.Count < SpareBlocks)
                    {
                        _spare.Push(block.Bytes);
                    }
                }
            }

            any = true;
        }

        return any;
    }

    /// <summary>The oldest block with lines in it (the one being filled last), taken from the producers; null when none has.</summary>
    private (byte[] Bytes, int Length, int Lines)? Take()
    {
        lock (_gate)
        {
            if (_full.TryDequeue(out var full))
            {
                _pending -= full.Lines;
                return full;
            }

            if (_used == 0)
            {
                return null;
            }

            var current = (_block, _used, _blockLines);
            _pending -= _blockLines;
            _block = _spare.TryPop(out var spare) ? spare : new byte[BlockBytes];
            (_used, _blockLines) = (0, 0);
            return current;
        }
    }

    private sealed class Logger(BufferedConsoleLoggerProvider provider, string category) : ILogger
    {
        private const int KeptScratch = 16 * 1024;

        [ThreadStatic]
        private static StringWriter? t_text;

        [ThreadStatic]
        private static Encoder? t_utf8;

        [ThreadStatic]
        private static byte[]? t_bytes;

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
            var builder = text.GetStringBuilder();
            try
            {
                provider._formatter.Write(in entry, provider._scopes, text);
            }
            catch
            {
                builder.Clear(); // a state or scope whose ToString threw leaves no half line for the thread's next one
                throw;
            }

            if (builder.Length == 0)
            {
                return;
            }

            // Straight to UTF-8 (one encoder per thread: a character split across the builder's chunks stays whole).
            var utf8 = t_utf8 ??= new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
            var most = Encoding.UTF8.GetMaxByteCount(builder.Length);
            var bytes = t_bytes is { } kept && kept.Length >= most ? kept : new byte[Math.Max(most, 1024)];
            var length = 0;
            foreach (var chunk in builder.GetChunks())
            {
                utf8.Convert(chunk.Span, bytes.AsSpan(length), flush: false, out _, out var written, out _);
                length += written;
            }

            utf8.Convert([], bytes.AsSpan(length), flush: true, out _, out var last, out _);
            length += last;
            t_bytes = bytes.Length <= KeptScratch ? bytes : null;
            builder.Clear();
            if (builder.Capacity > 4096)
            {
                builder.Capacity = 4096;
            }

            provider.Enqueue(bytes.AsSpan(0, length));
        }
    }
}
