using System.Globalization;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Sampling;
using Yardmaster.Inference.Tokenization;

namespace Yardmaster.Inference.Engine;

/// <summary>
/// Decodes many sequences of one model at once with continuous batching: a dedicated loop runs one
/// forward batch per step holding one token of every decoding sequence plus chunks of new prompts; a new
/// sequence joins between steps and a finished or cancelled one leaves, freeing its slot at once.
/// Requests beyond the slots wait in a bounded FIFO queue. <see cref="Submit"/> and <see cref="EmbedAsync"/>
/// (embeddings, computed in the same batches) are thread-safe.
/// </summary>
public sealed partial class InferenceEngine : IDisposable
{
    private readonly LlamaModel _model;
    private readonly ITokenizer _tokenizer;
    private readonly TimeProvider _time;
    private readonly ForwardPass _pass;
    private readonly Slot[] _slots;
    private readonly LinkedList<Sequence> _queue = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _loop;
    private readonly List<Sequence> _active = [];
    private volatile bool _stopping;
    private double _averageServiceSeconds = 1;
    private long _completed;
    private long _order;
    private long _preemptions;
    private long _recomputed;
    private long _savedBytes;
    private int _backgroundThreads;
    private int _backgroundThreadsFrom;
    private long _backgroundPasses;

    /// <summary>Starts the engine's loop. Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public InferenceEngine(LlamaModel model, ITokenizer tokenizer, EngineOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _model = model;
        _tokenizer = tokenizer;
        _time = time ?? TimeProvider.System;
        Options = options;
        _backgroundThreadsFrom = options.BackgroundPriority;
        ContextLength = options.ContextLength > 0 ? options.ContextLength : Math.Min(model.Config.ContextLength, 4096);
        Threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        _pass = new ForwardPass(model, Math.Max(options.MaxBatchTokens, options.Slots), Threads, ContextLength);
        _slots = new Slot[options.Slots];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(new KvCache(model.Config, ContextLength));
        }

        _loop = new Thread(Loop) { IsBackground = true, Name = "yard-engine" };
        _loop.Start();
    }

    /// <summary>The options the engine was started with.</summary>
    public EngineOptions Options { get; }

    /// <summary>Positions per sequence.</summary>
    public int ContextLength { get; }

    /// <summary>Compute threads.</summary>
    public int Threads { get; }

    /// <summary>
    /// Threads a forward pass of background sequences alone (<see cref="EngineOptions.BackgroundPriority"/>) runs on, 1 to
    /// <see cref="Threads"/>; 0 (the default) for all. The server sets it while pipeline steps hold cores of this machine, so
    /// that background inference leaves them their cores; any more urgent sequence in the pass (or an embedding) runs it on
    /// every thread. May be set from any thread; read before each pass.
    /// </summary>
    public int BackgroundThreads
    {
        get => Volatile.Read(ref _backgroundThreads);
        set => Volatile.Write(ref _backgroundThreads, Math.Clamp(value, 0, Threads));
    }

    /// <summary>
    /// The most urgent priority whose passes run on <see cref="BackgroundThreads"/>: a pass whose sequences are all of it or less
    /// urgent does. Default <see cref="EngineOptions.BackgroundPriority"/> (3, the server's <c>low</c>); 2 lets <c>normal</c>
    /// passes leave the steps their cores too. It does not change what else counts as background work (the bound on background
    /// prompt chunks beside urgent decodes follows <see cref="EngineOptions.BackgroundPriority"/>). May be set from any thread.
    /// </summary>
    public int BackgroundThreadsFrom
    {
        get => Volatile.Read(ref _backgroundThreadsFrom);
        set => Volatile.Write(ref _backgroundThreadsFrom, value);
    }

    /// <summary>Forward passes run on fewer threads than <see cref="Threads"/> because only background sequences were in them (for tests and metrics).</summary>
    public long BackgroundPasses => Interlocked.Read(ref _backgroundPasses);

    /// <summary>The model.</summary>
    public LlamaModel Model => _model;

    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer => _tokenizer;

    /// <summary>Bytes reserved for the KV caches of all slots.</summary>
    public long KvCacheBytes => _slots.Sum(s => s.Cache.ByteLength);

    /// <summary>A consistent snapshot of slot and queue use.</summary>
    public EngineStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new EngineStatus(_slots.Length, _slots.Count(s => !s.Free), _queue.Count + _embeddingQueue.Count, Options.MaxQueue, Interlocked.Read(ref _completed),
                    _preemptions, _queue.Count(s => s.Preemptions > 0), _recomputed);
            }
        }
    }

    /// <summary>
    /// Admits <paramref name="request"/> into a free slot or the queue, or refuses it with a reason.
    /// Cancelling <paramref name="cancellation"/> ends the sequence (or removes it from the queue) at
    /// the next step and frees its slot.
    /// </summary>
    public SubmitResult Submit(GenerationRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Prompt.Length == 0)
        {
            return Refuse(SubmitRefusal.Invalid, "the prompt is empty");
        }

        if (request.Prompt.Length >= ContextLength)
        {
            return Refuse(SubmitRefusal.PromptTooLong, string.Create(CultureInfo.InvariantCulture,
                $"the prompt is {request.Prompt.Length} tokens but the context is {ContextLength} tokens (at least one must remain for the answer)"));
        }

        foreach (var t in request.Prompt)
        {
            if ((uint)t >= (uint)_model.Config.VocabularySize)
            {
                return Refuse(SubmitRefusal.Invalid, $"token id {t} is outside the vocabulary (0..{_model.Config.VocabularySize - 1})");
            }
        }

        if (request.MaxTokens < 1)
        {
            return Refuse(SubmitRefusal.Invalid, $"max_tokens must be at least 1, got {request.MaxTokens}");
        }

        var errors = request.Sampling.Validate();
        if (errors.Count > 0)
        {
            return Refuse(SubmitRefusal.Invalid, string.Join("; ", errors));
        }

        var sequence = new Sequence(request, Interlocked.Increment(ref _order), _time.GetTimestamp(), cancellation);
        lock (_gate)
        {
            if (_stopping)
            {
                return Refuse(SubmitRefusal.ShuttingDown, "the model server is shutting down");
            }

            if (QueueFull() is { } full)
            {
                return new SubmitResult { Refusal = SubmitRefusal.QueueFull, Message = full.Message, RetryAfter = full.RetryAfter };
            }

            Enqueue(sequence);
        }

        if (cancellation.CanBeCanceled)
        {
            cancellation.UnsafeRegister(static s => ((InferenceEngine)s!).Wake(), this);
        }

        Wake();
        return new SubmitResult { Generation = new Generation(request, sequence.Channel.Reader) };
    }

    /// <summary>
    /// Generates one token from BOS (or token 0) and waits for it: reads every weight once and compiles
    /// the hot paths, so the first real request does not pay for them.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var request = new GenerationRequest([Math.Max(0, _tokenizer.BosId)], SamplingOptions.Greedy, 1, []);
        var generation = Submit(request, cancellationToken).Generation
            ?? throw new InvalidOperationException("the warm-up request was refused");
        await foreach (var _ in generation.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    /// <summary>Stops the loop, ends every sequence as cancelled and frees the caches.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        Wake();
        _loop.Join();
        _pass.Dispose();
        foreach (var slot in _slots)
        {
            slot.Dispose();
        }

        _wake.Dispose();
    }

    /// <summary>Null when one more request may wait; else why not. Caller holds <c>_gate</c>.</summary>
    private (string Message, TimeSpan RetryAfter)? QueueFull()
    {
        // Queued requests not yet admitted count against the free slots they will take.
        var waiting = _queue.Count + _embeddingQueue.Count - _slots.Count(s => s.Free);
        if (waiting < Options.MaxQueue)
        {
            return null;
        }

        var wait = _averageServiceSeconds * (waiting + 1) / _slots.Length;
        return ($"all {_slots.Length} slots are busy and {waiting} requests are waiting (the queue holds {Options.MaxQueue})",
            TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(wait), 1, 600)));
    }

    /// <summary>Queues <paramref name="sequence"/> after every request that precedes it (most urgent first, then arrival). Caller holds <c>_gate</c>.</summary>
    private void Enqueue(Sequence sequence)
    {
        var after = _queue.Last;
        while (after is not null && !after.Value.Precedes(sequence.Request.Priority, sequence.Order))
        {
            after = after.Previous;
        }

        if (after is null)
        {
            _queue.AddFirst(sequence);
        }
        else
        {
            _queue.AddAfter(after, sequence);
        }
    }

    private static SubmitResult Refuse(SubmitRefusal refusal, string message) => new() { Refusal = refusal, Message = message };

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a late cancellation fired; nothing to wake.
        }
    }
}
