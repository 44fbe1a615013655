using Yardmaster.Inference.Llama;

namespace Yardmaster.Inference.Engine;

/// <content>The engine's loop. Everything here runs on the loop thread only; <c>_gate</c> guards the queue and slot ownership shared with <see cref="Submit"/>.</content>
public sealed partial class InferenceEngine
{
    private void Loop()
    {
        var batch = new List<BatchToken>();
        var owners = new List<Sequence>();
        while (true)
        {
            if (_stopping)
            {
                Shutdown();
                return;
            }

            DropCancelled();
            DropCancelledEmbeddings();
            Admit();
            if (_active.Count == 0 && _embedding.Count == 0)
            {
                _wake.Wait();
                continue;
            }

            batch.Clear();
            owners.Clear();
            BuildBatch(batch, owners);
            _pass.ActiveThreads = PassThreads(owners);
            try
            {
                _pass.Run(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                foreach (var s in _active.ToArray())
                {
                    Finish(s, FinishReason.Error, e.Message);
                }

                EndEmbeddings(FinishReason.Error, e.Message);
                continue;
            }

            Advance(batch, owners);
            AdvanceEmbeddings();
        }
    }

    /// <summary>
    /// The threads for the pass of <paramref name="owners"/>: <see cref="BackgroundThreads"/> when it is set and every sequence
    /// in the pass is of <see cref="BackgroundThreadsFrom"/> or less urgent and no embedding is waiting (their passes follow on
    /// the same threads), else all.
    /// </summary>
    private int PassThreads(List<Sequence> owners)
    {
        var background = BackgroundThreads;
        if (background <= 0 || background >= Threads || owners.Count == 0 || _embedding.Count > 0)
        {
            return Threads;
        }

        var from = BackgroundThreadsFrom;
        foreach (var s in owners)
        {
            if (s.Request.Priority < from)
            {
                return Threads;
            }
        }

        Interlocked.Increment(ref _backgroundPasses);
        return background;
    }

    private void BuildBatch(List<BatchToken> batch, List<Sequence> owners)
    {
        var budget = _pass.MaxBatch;
        foreach (var s in _active)
        {
            if (!s.Prefilling && budget > 0)
            {
                batch.Add(new BatchToken(s.Slot!.Cache, s.PendingToken, s.Slot.Tokens.Count, WantLogits: true));
                owners.Add(s);
                budget--;
            }
        }

        var decoding = owners.Count > 0;
        var urgentDecoding = false;
        foreach (var s in owners)
        {
            urgentDecoding |= s.Request.Priority < Options.BackgroundPriority;
        }

        // Prompt chunks: those of foreground sequences first, then background ones. While a foreground sequence decodes, the
        // background chunks together take at most a sixteenth of the batch: each decode step waits for its whole batch, so a
        // batch line's 124-token prompt in one step stalls every urgent token beside it for the whole prefill. bench/mixed-pool.sh
        // (a batch pipeline's lines beside chat at 0.15x the Azure trace): chat tokens took 60-80 ms each with the full
        // chunk; the background prompt still advances every step, and takes the whole budget when no urgent sequence decodes.
        var backgroundBudget = urgentDecoding ? BackgroundPromptTokensBesideUrgentDecodes : int.MaxValue;
        for (var foreground = 1; foreground >= 0; foreground--)
        {
            foreach (var s in _active)
            {
                var isForeground = s.Request.Priority < Options.BackgroundPriority;
                if (!s.Prefilling || budget == 0 || isForeground != (foreground == 1) || (!isForeground && backgroundBudget == 0))
                {
                    continue;
                }

                // A resumed sequence's tokens are put back without logits: its next token was sampled before it was preempted.
                var fill = s.Fill;
                var chunk = Math.Min(fill.Length - s.Prefilled, isForeground ? budget : Math.Min(budget, backgroundBudget));
                for (var i = 0; i < chunk; i++)
                {
                    var index = s.Prefilled + i;
                    batch.Add(new BatchToken(s.Slot!.Cache, fill[index], index, WantLogits: !s.Resuming && index == fill.Length - 1));
                    owners.Add(s);
                }

                budget -= chunk;
                if (!isForeground)
                {
                    backgroundBudget -= chunk;
                }
            }
        }

        if (urgentDecoding && BackgroundPromptTokensBesideUrgentDecodes - backgroundBudget > MostBackgroundPromptTokensBesideUrgentDecodes)
        {
            MostBackgroundPromptTokensBesideUrgentDecodes = BackgroundPromptTokensBesideUrgentDecodes - backgroundBudget;
        }

        // Embedding inputs last (their tokens have no owner sequence): they take what the generations leave, and while
        // sequences decode at most a sixteenth of the batch. Each decode step waits for its whole batch, so embeddings
        // filling it step after step slow every generation to a fraction of its rate; a prompt's prefill ends, a stream
        // of embeddings need not. bench/embeddings.sh on a 15M-parameter model, 32-input requests back to back: the
        // generation at 5% of its alone rate with no bound, 29% with this one, for 26% fewer embedding inputs/s.
        var fed = FeedEmbeddings(batch, decoding ? Math.Min(budget, EmbeddingTokensBesideDecodes) : budget);
        if (decoding && fed > MostEmbeddingTokensBesideDecodes)
        {
            MostEmbeddingTokensBesideDecodes = fed;
        }
    }

    /// <summary>The most embedding tokens a step that also decodes carries: a sixteenth of the batch (8 of the default 128), at least one.</summary>
    internal int EmbeddingTokensBesideDecodes => Math.Max(1, _pass.MaxBatch / 16);

    /// <summary>The most background prompt tokens a step that also decodes a foreground sequence carries: a sixteenth of the batch (8 of the default 128), at least one.</summary>
    internal int BackgroundPromptTokensBesideUrgentDecodes => Math.Max(1, _pass.MaxBatch / 16);

    /// <summary>The most background prompt tokens seen in one step beside a foreground decode, since start (for tests; loop thread only).</summary>
    internal int MostBackgroundPromptTokensBesideUrgentDecodes { get; private set; }

    /// <summary>The most embedding tokens seen in one step beside decode tokens, since start (for tests; loop thread only).</summary>
    internal int MostEmbeddingTokensBesideDecodes { get; private set; }

    private void Advance(List<BatchToken> batch, List<Sequence> owners)
    {
        var logitIndex = 0;
        for (var i = 0; i < owners.Count; i++)
        {
            var s = owners[i];
            var token = batch[i];
            s.Slot!.Tokens.Add(token.Token);
            if (s.Prefilling)
            {
                s.Prefilled++;
                if (s.Resuming && !s.Prefilling)
                {
                    s.Resuming = false; // back where it was preempted; it decodes its pending token next step
                }
            }

            if (token.WantLogits)
            {
                var next = s.Sampler.Sample(_pass.Logits(logitIndex++));
                Accept(s, next);
            }
        }
    }

    private void Accept(Sequence s, int token)
    {
        s.Generated++;
        if (!s.Request.IgnoreEndOfGeneration && _tokenizer.IsEndOfGeneration(token))
        {
            Finish(s, FinishReason.Stop);
            return;
        }

        var text = s.Text.Append(_tokenizer.TokenBytes(token));
        if (text.Length > 0)
        {
            s.Channel.Writer.TryWrite(new GenerationText(text, s.Generated));
        }

        if (s.Text.Stopped)
        {
            Finish(s, FinishReason.Stop);
        }
        else if (s.Generated >= s.Request.MaxTokens || s.Slot!.Tokens.Count >= ContextLength)
        {
            Finish(s, FinishReason.Length);
        }
        else
        {
            s.PendingToken = token;
        }
    }

    private void Finish(Sequence s, FinishReason reason, string? error = null)
    {
        if (reason is FinishReason.Stop or FinishReason.Length)
        {
            var tail = s.Text.Flush();
            if (tail.Length > 0)
            {
                s.Channel.Writer.TryWrite(new GenerationText(tail, s.Generated));
            }
        }

        // Free the slot before the caller can observe the end, so a finished request never shows as busy.
        _active.Remove(s);
        lock (_gate)
        {
            if (s.Slot is { } slot)
            {
                slot.Sequence = null;
            }

            var seconds = _time.GetElapsedTime(s.EnqueuedAt).TotalSeconds;
            _averageServiceSeconds = (0.8 * _averageServiceSeconds) + (0.2 * seconds);
        }

        Complete(s, new GenerationFinished(reason, s.Request.Prompt.Length, s.Generated, error));
    }

    private void Complete(Sequence s, GenerationFinished finish)
    {
        Interlocked.Increment(ref _completed);
        s.Channel.Writer.TryWrite(finish);
        s.Channel.Writer.TryComplete();
    }

    private void DropCancelled()
    {
        foreach (var s in _active.ToArray())
        {
            if (s.Cancellation.IsCancellationRequested)
            {
                Finish(s, FinishReason.Cancelled);
            }
        }

        List<Sequence>? dropped = null;
        lock (_gate)
        {
            for (var node = _queue.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Cancellation.IsCancellationRequested)
                {
                    _queue.Remove(node);
                    (dropped ??= []).Add(node.Value);
                }

                node = next;
            }
        }

        foreach (var s in dropped ?? [])
        {
            DropSaved(s);
            Complete(s, new GenerationFinished(FinishReason.Cancelled, s.Request.Prompt.Length, s.Generated));
        }
    }

    private void Admit()
    {
        lock (_gate)
        {
            DropKeptOverBudget();

            // Generations and embeddings most urgent first, then in arrival order; each takes one free slot. A generation
            // that finds none may take a less urgent sequence's (Preempt).
            while (_queue.First is { } node)
            {
                var s = node.Value;
                if (_embeddingQueue.First is { } embedding && !s.Precedes(embedding.Value.Priority, embedding.Value.Order))
                {
                    if (!AdmitEmbedding())
                    {
                        return;
                    }

                    continue;
                }

                var slot = FreeSlotFor(s);
                if (slot is null)
                {
                    if (!Options.Preempt || LeastUrgentActive() is not { } victim || victim.Request.Priority <= s.Request.Priority)
                    {
                        return;
                    }

                    slot = Preempt(victim);
                }

                _queue.RemoveFirst();
                Seat(s, slot);
            }

            while (AdmitEmbedding())
            {
            }
        }
    }

    /// <summary>The free slot for <paramref name="s"/>: any for a kept cache (it is copied in), else the one whose cached tokens share the longest prefix with what it must fill.</summary>
    private Slot? FreeSlotFor(Sequence s) => s.Saved is not null
        ? _slots.Where(x => x.Free).MinBy(x => x.Tokens.Count)
        : _slots.Where(x => x.Free).MaxBy(x => x.SharedPrefix(s.Fill, s.Resuming));

    /// <summary>Puts <paramref name="s"/> in <paramref name="slot"/>, reusing the cached prefix it shares or restoring its kept cache. Caller holds <c>_gate</c>.</summary>
    private void Seat(Sequence s, Slot slot)
    {
        slot.Sequence = s;
        s.Slot = slot;
        if (s.Saved is { } saved)
        {
            slot.Cache.Restore(saved);
            slot.Tokens.Clear();
            slot.Tokens.AddRange(s.Fill.AsSpan(0, saved.Positions));
            s.Prefilled = saved.Positions;
            DropSaved(s);
            if (!s.Prefilling)
            {
                s.Resuming = false;
            }
        }
        else
        {
            var shared = slot.SharedPrefix(s.Fill, s.Resuming);
            slot.Tokens.RemoveRange(shared, slot.Tokens.Count - shared);
            slot.Cache.Length = shared;
            s.Prefilled = shared;
            if (s.Resuming && !s.Prefilling)
            {
                s.Resuming = false; // the slot still held every token: nothing to recompute
            }
        }

        _active.Add(s);
    }

    /// <summary>The active sequence to preempt first: the least urgent, the latest of those (it has the least to lose).</summary>
    private Sequence? LeastUrgentActive()
    {
        Sequence? victim = null;
        foreach (var s in _active)
        {
            if (victim is null || victim.Precedes(s.Request.Priority, s.Order))
            {
                victim = s;
            }
        }

        return victim;
    }

    /// <summary>
    /// Takes <paramref name="victim"/>'s slot: its cache is kept when the slots' untouched part can hold it, else recomputed
    /// when it resumes; it waits at the head of its priority (it arrived before those queued behind it). Caller holds <c>_gate</c>.
    /// </summary>
    private Slot Preempt(Sequence victim)
    {
        var slot = victim.Slot!;
        _active.Remove(victim);
        if (!victim.Prefilling)
        {
            victim.Fill = [.. slot.Tokens]; // every token in the cache; the pending one is fed once they are back
            victim.Resuming = true;
        }

        var positions = slot.Tokens.Count;
        var bytes = positions * slot.Cache.BytesPerPosition;
        if (positions > 0 && bytes <= KeepableBytes())
        {
            victim.Saved = slot.Cache.Save(positions);
            _savedBytes += bytes;
        }
        else if (positions > 0)
        {
            _recomputed++;
        }

        slot.Sequence = null;
        victim.Slot = null;
        victim.Prefilled = 0;
        victim.Preemptions++;
        _preemptions++;
        Enqueue(victim);
        return slot;
    }

    /// <summary>Bytes of the slots' caches no sequence has touched (not yet resident) less the caches kept now: what kept caches may still take.</summary>
    private long KeepableBytes()
    {
        long untouched = 0;
        foreach (var slot in _slots)
        {
            untouched += (slot.Cache.Capacity - slot.Cache.HighWater) * slot.Cache.BytesPerPosition;
        }

        return untouched - _savedBytes;
    }

    /// <summary>
    /// Slots fill the part of their caches kept caches were counted against as their sequences grow: while the kept caches are
    /// more than that part still holds, the kept cache of the last sequence in the queue (the least urgent, latest) is dropped
    /// first (its sequence recomputes when it resumes). Caller holds <c>_gate</c>.
    /// </summary>
    private void DropKeptOverBudget()
    {
        for (var node = _queue.Last; node is not null && _savedBytes > 0 && KeepableBytes() < 0; node = node.Previous)
        {
            if (node.Value.Saved is not null)
            {
                DropSaved(node.Value);
                _recomputed++;
            }
        }
    }

    /// <summary>Bytes of kept caches now (for tests; loop thread, read anywhere).</summary>
    internal long KeptBytes => Volatile.Read(ref _savedBytes);

    private void DropSaved(Sequence s)
    {
        if (s.Saved is { } saved)
        {
            _savedBytes -= saved.ByteLength;
            s.DropSaved();
        }
    }

    private void Shutdown()
    {
        foreach (var s in _active.ToArray())
        {
            Finish(s, FinishReason.Cancelled);
        }

        EndEmbeddings(FinishReason.Cancelled, "the model server is shutting down");

        lock (_gate)
        {
            foreach (var s in _queue)
            {
                DropSaved(s);
                Complete(s, new GenerationFinished(FinishReason.Cancelled, s.Request.Prompt.Length, s.Generated));
            }

            _queue.Clear();
        }
    }
}
