using System.Globalization;
using Yardmaster.Inference.Llama;

namespace Yardmaster.Inference.Engine;

/// <content>
/// Embeddings: a request of one or more token sequences waits in the same bounded queue as generations,
/// takes one slot, and feeds its inputs through the same forward batches as the decoding sequences; each
/// input's vector is its tokens' final normed hidden states, mean-pooled and L2-normalised.
/// </content>
public sealed partial class InferenceEngine
{
    private readonly LinkedList<EmbeddingJob> _embeddingQueue = new();
    private readonly List<EmbeddingJob> _embedding = [];

    /// <summary>
    /// Computes the embedding of every input of <paramref name="request"/> (mean pooling over the tokens of the
    /// final hidden states after the output norm, then L2 normalisation, as llama.cpp's server with
    /// <c>--pooling mean</c>). Thread-safe. Refusals (empty or over-long input, bad token id, full queue,
    /// shutting down) are values; cancelling <paramref name="cancellationToken"/> ends it at the next step with
    /// <see cref="FinishReason.Cancelled"/> and frees its slot.
    /// </summary>
    public Task<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Check(request) is { } refused)
        {
            return Task.FromResult(refused);
        }

        var job = new EmbeddingJob(request.Inputs, request.Priority, Interlocked.Increment(ref _order), _model.Config.Dim, _time.GetTimestamp(), cancellationToken);
        lock (_gate)
        {
            if (_stopping)
            {
                return Task.FromResult(new EmbeddingResult { Refusal = SubmitRefusal.ShuttingDown, Message = "the model server is shutting down" });
            }

            if (QueueFull() is { } full)
            {
                return Task.FromResult(new EmbeddingResult { Refusal = SubmitRefusal.QueueFull, Message = full.Message, RetryAfter = full.RetryAfter });
            }

            // Most urgent first, then in arrival order.
            var after = _embeddingQueue.Last;
            while (after is not null && after.Value.Priority > job.Priority)
            {
                after = after.Previous;
            }

            if (after is null)
            {
                _embeddingQueue.AddFirst(job);
            }
            else
            {
                _embeddingQueue.AddAfter(after, job);
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.UnsafeRegister(static s => ((InferenceEngine)s!).Wake(), this);
        }

        Wake();
        return job.Done.Task;
    }

    private EmbeddingResult? Check(EmbeddingRequest request)
    {
        if (request.Inputs.Count == 0)
        {
            return new EmbeddingResult { Refusal = SubmitRefusal.Invalid, Message = "there is no input" };
        }

        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (input.Length == 0)
            {
                return new EmbeddingResult { Refusal = SubmitRefusal.Invalid, Message = string.Create(CultureInfo.InvariantCulture, $"input {i} is empty") };
            }

            if (input.Length > ContextLength)
            {
                return new EmbeddingResult
                {
                    Refusal = SubmitRefusal.PromptTooLong,
                    Message = string.Create(CultureInfo.InvariantCulture, $"input {i} is {input.Length} tokens but the context is {ContextLength} tokens"),
                };
            }

            foreach (var t in input)
            {
                if ((uint)t >= (uint)_model.Config.VocabularySize)
                {
                    return new EmbeddingResult
                    {
                        Refusal = SubmitRefusal.Invalid,
                        Message = string.Create(CultureInfo.InvariantCulture, $"input {i}: token id {t} is outside the vocabulary (0..{_model.Config.VocabularySize - 1})"),
                    };
                }
            }
        }

        return null;
    }

    /// <summary>Gives a free slot to the first queued embedding request; false when there is none or no slot. Caller holds <c>_gate</c>.</summary>
    private bool AdmitEmbedding()
    {
        // The slot whose cached prefix is worth least: the inputs overwrite it.
        var slot = _slots.Where(x => x.Free).MinBy(x => x.Tokens.Count);
        if (_embeddingQueue.First is not { } node || slot is null)
        {
            return false;
        }

        _embeddingQueue.RemoveFirst();
        var job = node.Value;
        slot.Tokens.Clear();
        slot.Cache.Length = 0;
        slot.Job = job;
        job.Slot = slot;
        _embedding.Add(job);
        return true;
    }

    /// <summary>Adds the embedding jobs' next tokens, at most <paramref name="budget"/>; returns how many.</summary>
    private int FeedEmbeddings(List<BatchToken> batch, int budget)
    {
        var fed = 0;
        foreach (var job in _embedding)
        {
            if (fed == budget)
            {
                break;
            }

            fed += job.Feed(batch, budget - fed);
        }

        return fed;
    }

    private void AdvanceEmbeddings()
    {
        foreach (var job in _embedding.ToArray())
        {
            job.Advance();
            if (job.Complete)
            {
                EndEmbedding(job, new EmbeddingResult { Vectors = job.Vectors, PromptTokens = job.PromptTokens, Finish = FinishReason.Stop });
            }
        }
    }

    private void DropCancelledEmbeddings()
    {
        foreach (var job in _embedding.ToArray())
        {
            if (job.Cancellation.IsCancellationRequested)
            {
                EndEmbedding(job, Ended(job, FinishReason.Cancelled));
            }
        }

        List<EmbeddingJob>? dropped = null;
        lock (_gate)
        {
            for (var node = _embeddingQueue.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Cancellation.IsCancellationRequested)
                {
                    _embeddingQueue.Remove(node);
                    (dropped ??= []).Add(node.Value);
                }

                node = next;
            }
        }

        foreach (var job in dropped ?? [])
        {
            job.Done.TrySetResult(Ended(job, FinishReason.Cancelled));
        }
    }

    /// <summary>Ends every embedding request, running or queued, with <paramref name="reason"/>.</summary>
    private void EndEmbeddings(FinishReason reason, string? message)
    {
        foreach (var job in _embedding.ToArray())
        {
            EndEmbedding(job, Ended(job, reason) with { Message = message });
        }

        if (reason != FinishReason.Cancelled)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var job in _embeddingQueue)
            {
                job.Done.TrySetResult(Ended(job, reason));
            }

            _embeddingQueue.Clear();
        }
    }

    private void EndEmbedding(EmbeddingJob job, EmbeddingResult result)
    {
        // The slot's cache holds packed inputs, no one sequence's prefix: nothing to reuse.
        _embedding.Remove(job);
        lock (_gate)
        {
            if (job.Slot is { } slot)
            {
                slot.Job = null;
                slot.Tokens.Clear();
                slot.Cache.Length = 0;
            }

            var seconds = _time.GetElapsedTime(job.EnqueuedAt).TotalSeconds;
            _averageServiceSeconds = (0.8 * _averageServiceSeconds) + (0.2 * seconds);
        }

        Interlocked.Increment(ref _completed);
        job.Done.TrySetResult(result);
    }

    private static EmbeddingResult Ended(EmbeddingJob job, FinishReason reason) =>
        new() { PromptTokens = job.PromptTokens, Finish = reason };
}
