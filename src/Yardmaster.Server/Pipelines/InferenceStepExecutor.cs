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

    /// <summary>The inference tasks (and models) steps may name.</summary>
    public Func<IReadOnlyCollection<string>> Tasks { get; }

    /// <summary>Records a model's measured quality in the registry (false when the model is unknown); null refuses <c>evaluate:</c> steps.</summary>
    public Func<Core.Registry.ModelQuality, CancellationToken, Task<bool>>? RecordQuality { get; init; }

    /// <inheritdoc />
    public Task<StepStart> StartAsync(StepLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (_server() is not { } server)
        {
            return Task.FromResult(StepStart.Failed("the server is not listening yet"));
        }

        if (launch.Evaluate is { } evaluate)
        {
            return Task.FromResult(StartEvaluate(launch, evaluate, server));
        }

        if (launch.Inference is not { } spec)
        {
            return Task.FromResult(StepStart.Failed("the inference executor runs 'inference:' and 'evaluate:' steps only"));
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

    private StepStart StartEvaluate(StepLaunch launch, Core.Pipelines.EvaluateStepSpec spec, Uri server)
    {
        if (RecordQuality is not { } record)
        {
            return StepStart.Failed("this server cannot record model quality, so it runs no evaluate steps");
        }

        var dataset = Path.Combine(launch.WorkingDirectory, spec.Dataset);
        if (!File.Exists(dataset))
        {
            return StepStart.Failed($"the dataset '{spec.Dataset}' does not exist in the run's working directory ({launch.WorkingDirectory})");
        }

        var items = new List<EvaluationItem>();
        var number = 0;
        foreach (var line in File.ReadLines(dataset))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var (item, error) = EvaluationItem.Read(line, number);
            if ((error ?? ExpectedError(spec.Score, item!.Expected)) is { } problem)
            {
                return StepStart.Failed($"{spec.Dataset}:{number}: {problem}");
            }

            items.Add(item!);
        }

        if (items.Count == 0)
        {
            return StepStart.Failed($"the dataset '{spec.Dataset}' has no items");
        }

        var run = new EvaluateStepRun(_http, server, _key, launch, spec, items, record, _time);
        run.Start();
        return StepStart.Started(run);
    }

    /// <summary>Why an item's expected value does not suit the scoring rule (a text rule needs a string; a regex must compile); null when it does.</summary>
    private static string? ExpectedError(Core.Pipelines.ScoreMethod score, JsonNode? expected)
    {
        if (score is Core.Pipelines.ScoreMethod.JsonMatch or Core.Pipelines.ScoreMethod.Judge)
        {
            return null;
        }

        if (expected is not JsonValue v || !v.TryGetValue<string>(out var text))
        {
            return "expected must be a string for score: " + Core.Pipelines.AnswerScoring.Names.First(n => n.Value == score).Key;
        }

        return score == Core.Pipelines.ScoreMethod.Regex && Core.Pipelines.AnswerScoring.CheckPattern(text) is { } bad ? "expected is not a regular expression: " + bad : null;
    }

    /// <inheritdoc />
    public Task<IStepProcess?> ReattachAsync(StepLaunch launch, CancellationToken cancellationToken) => Task.FromResult<IStepProcess?>(null);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
