using System.Text.Json;
using System.Text.Json.Nodes;
using Yardmaster.Core.Execution;

namespace Yardmaster.Server.Pipelines;

/// <summary>
/// Runs <c>inference:</c> steps inside <c>yard serve</c>: every line of the input JSONL (an OpenAI chat request with
/// <c>messages</c>, or a completion request with <c>prompt</c>) goes to the step's task through the server's own
/// gateway, hence through the request scheduler, at the pipeline's priority class (<c>X-Yard-Priority</c>; a
/// task that allows less keeps its own), and the answers are written to the output JSONL in input order.
/// Refusals for load (429, 503) are retried after their <c>Retry-After</c>. The work lives in the server
/// process, so after a scheduler restart an attempt is not found again (it is retried; outputs are rewritten whole).
/// </summary>
public sealed class InferenceStepExecutor : IStepExecutor, IDisposable
{
    private readonly Func<Uri?> _server;
    private readonly string? _key;
    private readonly TimeProvider _time;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <param name="server">The gateway's address once it listens (null before).</param>
    /// <param name="key">A key the gateway accepts on <c>/v1</c>; null when it is open.</param>
    /// <param name="tasks">The inference tasks steps may name.</param>
    /// <param name="time">The clock of the steps' log lines.</param>
    public InferenceStepExecutor(Func<Uri?> server, string? key, Func<IReadOnlyCollection<string>> tasks, TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _key = key;
        Tasks = tasks ?? throw new ArgumentNullException(nameof(tasks));
    }

    /// <inheritdoc />
    public string Name => "inference";

    /// <summary>The inference tasks steps may name.</summary>
    public Func<IReadOnlyCollection<string>> Tasks { get; }

    /// <inheritdoc />
    public Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Inference is not { } spec)
        {
            return Task.FromResult(StepStart.Failed("the inference executor runs 'inference:' steps only"));
        }

        if (_server() is not { } server)
        {
            return Task.FromResult(StepStart.Failed("the server is not listening yet"));
        }

        var input = Path.Combine(launch.WorkingDirectory, spec.Input);
        if (!File.Exists(input))
        {
            return Task.FromResult(StepStart.Failed($"the input '{spec.Input}' does not exist in the run's working directory ({launch.WorkingDirectory})"));
        }

        var requests = new List<JsonObject>();
        var number = 0;
        foreach (var line in File.ReadLines(input))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException e)
            {
                return Task.FromResult(StepStart.Failed($"{spec.Input}:{number}: not valid JSON: {e.Message}"));
            }

            if (node is not JsonObject request || (request["messages"] is null && request["prompt"] is null))
            {
                return Task.FromResult(StepStart.Failed($"{spec.Input}:{number}: each line must be a JSON object with 'messages' (chat) or 'prompt' (completion)"));
            }

            requests.Add(request);
        }

        var run = new InferenceStepRun(_http, server, _key, launch, spec, requests, _time);
        run.Start();
        return Task.FromResult(StepStart.Started(run));
    }

    /// <inheritdoc />
    public Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken) => Task.FromResult<IStepProcess?>(null);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
