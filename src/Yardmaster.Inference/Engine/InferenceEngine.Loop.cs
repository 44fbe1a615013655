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

        foreach (var s in _active)
        {
            if (!s.Prefilling || budget == 0)
            {
                continue;
            }

            var prompt = s.Request.Prompt;
            var chunk = Math.Min(prompt.Length - s.Prefilled, budget);
            for (var i = 0; i < chunk; i++)
            {
                var index = s.Prefilled + i;
                batch.Add(new BatchToken(s.Slot!.Cache, prompt[index], index, WantLogits: index == prompt.Length - 1));
                owners.Add(s);
            }

            budget -= chunk;
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
            Complete(s, new GenerationFinished(FinishReason.Cancelled, s.Request.Prompt.Length, 0));
        }
    }

    private void Admit()
    {
        lock (_gate)
        {
            // Generations and embeddings in arrival order; each takes one free slot.
            while (_queue.First is { } node)
            {
                if (_embeddingQueue.First is { } embedding && embedding.Value.EnqueuedAt < node.Value.EnqueuedAt)
                {
                    if (!AdmitEmbedding())
                    {
                        return;
                    }

                    continue;
                }

                var s = node.Value;
                var slot = _slots.Where(x => x.Free).MaxBy(x => x.SharedPrefix(s.Request.Prompt));
                if (slot is null)
                {
                    return;
                }

                _queue.RemoveFirst();
                var shared = slot.SharedPrefix(s.Request.Prompt);
                slot.Tokens.RemoveRange(shared, slot.Tokens.Count - shared);
                slot.Cache.Length = shared;
                slot.Sequence = s;
                s.Slot = slot;
                s.Prefilled = shared;
                _active.Add(s);
            }

            while (AdmitEmbedding())
            {
            }
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
                Complete(s, new GenerationFinished(FinishReason.Cancelled, s.Request.Prompt.Length, 0));
            }

            _queue.Clear();
        }
    }
}
