using Yardmaster.Core;
using Yardmaster.Core.Configuration;
using Yardmaster.Inference.Engine;
using Yardmaster.Inference.Llama;
using Yardmaster.Inference.Tokenization;
using Yardmaster.Runtime.Ledger;
using Yardmaster.Server.ModelServer;

namespace Yardmaster.Server.Backends;

/// <summary>
/// A replica on the builtin runtime in the server's own process: the GGUF file mapped, an
/// <see cref="InferenceEngine"/> with the model's slots, requests served by the same code as
/// <c>yard model-server</c> without a network hop.
/// </summary>
internal sealed class BuiltinReplica : IServingReplica
{
    private readonly LlamaModel _model;
    private readonly InferenceEngine _engine;
    private readonly CompletionEndpoint _endpoint;
    private readonly EmbeddingsEndpoint _embeddings;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ResourceLedger? _ledger;

    private BuiltinReplica(LlamaModel model, InferenceEngine engine, CompletionEndpoint endpoint, EmbeddingsEndpoint embeddings, ResourceLedger? ledger)
    {
        _model = model;
        _engine = engine;
        _endpoint = endpoint;
        _embeddings = embeddings;
        _ledger = ledger;
        if (ledger is not null)
        {
            ledger.Changed += FollowSteps;
            ledger.Reserved += FollowSteps;
            FollowSteps();
        }
    }

    /// <summary>
    /// Less urgent inference leaves the pipeline steps their cores: while steps hold cores of this machine on the ledger, a
    /// forward pass whose sequences are all of the engine's <see cref="InferenceEngine.BackgroundThreadsFrom"/> class or less
    /// urgent (<c>low</c> and <c>batch</c> by default) runs on the engine's threads less those cores (at least one); with no
    /// step, or with a more urgent sequence in the pass, on all of them.
    /// </summary>
    private void FollowSteps()
    {
        var node = _ledger!.Snapshot()[0]; // node 0 is this machine
        var stepCores = (int)Math.Ceiling(Math.Max(0, node.CpuCapacity - node.CpuFree) / 1000.0);
        _engine.BackgroundThreads = stepCores > 0 ? Math.Max(1, _engine.Threads - stepCores) : 0;
    }

    /// <inheritdoc />
    public long MemoryBytes => _model.WeightBytes + _engine.KvCacheBytes;

    /// <summary>The threads its engine's passes of background sequences alone run on now (0: all); see <see cref="FollowSteps"/>.</summary>
    internal int BackgroundThreads => _engine.BackgroundThreads;

    /// <summary>The most urgent priority whose passes follow the steps (<see cref="InferenceEngine.BackgroundThreadsFrom"/>).</summary>
    internal int BackgroundThreadsFrom => _engine.BackgroundThreadsFrom;

    /// <summary>The tensors' bytes in the mapped file.</summary>
    internal long WeightBytes => _model.WeightBytes;

    /// <inheritdoc />
    public Task Exited => _exited.Task; // an in-process engine does not die on its own

    /// <inheritdoc />
    public string? ExitReason => null;

    /// <summary>Loads the file and runs one warm-up token (so the first request does not pay for first-touch and JIT).</summary>
    /// <param name="definition">The model.</param>
    /// <param name="ledger">The node ledger, whose steps' cores the engine's background passes leave them (see <see cref="FollowSteps"/>); null for none.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <param name="followFrom">With <paramref name="ledger"/>: the most urgent class whose passes leave the steps their cores (<c>low</c>: passes of <c>low</c> and <c>batch</c> sequences alone).</param>
    public static async Task<BuiltinReplica> StartAsync(ModelDefinition definition, ResourceLedger? ledger, TimeProvider time, CancellationToken cancellationToken, PriorityClass followFrom = PriorityClass.Low)
    {
        var model = LlamaModel.Load(definition.Path!);
        InferenceEngine? engine = null;
        try
        {
            var tokenizer = TokenizerFactory.FromGguf(model.File);
            var options = new EngineOptions
            {
                Slots = definition.Slots,
                ContextLength = definition.Context ?? Math.Min(2048, model.Config.ContextLength),
                Threads = definition.Threads ?? 0,
                // The gateway sends at most as many requests beyond the slots as it has slots (more urgent ones, when the engine
                // preempts); twice that leaves room for a cancelled request the engine has not yet dropped.
                MaxQueue = 2 * definition.Slots,
                Preempt = definition.PreemptsInEngine,
            };
            engine = new InferenceEngine(model, tokenizer, options, time) { BackgroundThreadsFrom = (int)followFrom };
            var served = new ServedModel(definition.Name, engine, tokenizer, ChatTemplate.Detect(model.File.GetString("tokenizer.chat_template")), time.GetUtcNow().ToUnixTimeSeconds());
            await engine.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            return new BuiltinReplica(model, engine, new CompletionEndpoint(served, time), new EmbeddingsEndpoint(served, time), ledger);
        }
        catch
        {
            engine?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<ForwardReport> ForwardAsync(ForwardCall call, HttpContext http, CancellationToken cancellationToken)
    {
        CompletionReport report;
        if (call.Embeddings)
        {
            var (embeddings, invalid) = EmbeddingsParser.Parse(call.Root);
            if (embeddings is null)
            {
                await invalid!.WriteAsync(http.Response, cancellationToken).ConfigureAwait(false);
                return new ForwardReport(ForwardOutcome.Invalid, true, 0, 0, null, invalid.Message);
            }

            report = await _embeddings.ServeAsync(http, embeddings with { Priority = (int)call.Priority }, cancellationToken).ConfigureAwait(false);
            return await ReportAsync(report, http, cancellationToken).ConfigureAwait(false);
        }

        var (request, error) = RequestParser.Parse(call.Root, call.Chat);
        if (request is null)
        {
            await error!.WriteAsync(http.Response, cancellationToken).ConfigureAwait(false);
            return new ForwardReport(ForwardOutcome.Invalid, true, 0, 0, null, error.Message);
        }

        report = await _endpoint.ServeAsync(http, request with { Priority = (int)call.Priority }, cancellationToken).ConfigureAwait(false);
        return await ReportAsync(report, http, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ForwardReport> ReportAsync(CompletionReport report, HttpContext http, CancellationToken cancellationToken)
    {
        if (report.Outcome == CompletionOutcome.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            // Neither the client nor the deadline: the engine was stopped under the request (unload, shutdown).
            const string stopped = "the model was unloaded while answering (the server is stopping or the replica was stopped)";
            if (http.Response.HasStarted)
            {
                await OpenAiForwarder.WriteErrorEventAsync(http.Response, stopped, http.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                await new OpenAiError(503, stopped, "server_error", Code: "model_unloaded").WriteAsync(http.Response, http.RequestAborted).ConfigureAwait(false);
            }

            return new ForwardReport(ForwardOutcome.Failed, true, report.PromptTokens, report.CompletionTokens, report.FirstTokenTimestamp, stopped);
        }

        var outcome = report.Outcome switch
        {
            CompletionOutcome.Completed => ForwardOutcome.Completed,
            CompletionOutcome.Invalid => ForwardOutcome.Invalid,
            CompletionOutcome.Refused => ForwardOutcome.Refused,
            CompletionOutcome.Cancelled => http.RequestAborted.IsCancellationRequested ? ForwardOutcome.Cancelled : ForwardOutcome.TimedOut,
            _ => ForwardOutcome.Failed,
        };
        return new ForwardReport(outcome, http.Response.HasStarted, report.PromptTokens, report.CompletionTokens, report.FirstTokenTimestamp);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_ledger is not null)
        {
            _ledger.Changed -= FollowSteps;
            _ledger.Reserved -= FollowSteps;
        }

        _engine.Dispose();
        _model.Dispose();
        return ValueTask.CompletedTask;
    }
}
