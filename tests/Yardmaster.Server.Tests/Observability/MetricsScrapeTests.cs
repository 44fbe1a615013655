using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Observability;

/// <summary>
/// <c>GET /metrics</c> of a busy real gateway: completed, rate-limited and timed-out requests over several tasks, an
/// eviction, and a pipeline run with a retry; the figures scraped are the ones the clients saw.
/// </summary>
public sealed class MetricsScrapeTests(MetricsScrapeTests.Fixture fixture) : IClassFixture<MetricsScrapeTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Scrape_CompletedRequests_CountedPerTaskAndModel()
    {
        var metrics = fixture.Scrape;
        Assert.Equal(3, metrics.Sum("yard_requests_total", ("task", "obs-chat"), ("model", "obs-a"), ("outcome", "completed")));
        Assert.Equal(2, metrics.Sum("yard_requests_total", ("task", "obs-sum"), ("model", "obs-b"), ("outcome", "completed")));
        Assert.Equal(3, metrics.Sum("yard_request_latency_seconds_count", ("task", "obs-chat")));
        Assert.Equal(3, metrics.Sum("yard_request_latency_seconds_bucket", ("task", "obs-chat"), ("le", "+Inf")));
        Assert.Equal(3, metrics.Sum("yard_request_queue_seconds_count", ("task", "obs-chat")));
        Assert.Equal(3, metrics.Sum("yard_request_ttft_seconds_count", ("task", "obs-chat")));
        Assert.Equal(3 * 4, metrics.Sum("yard_tokens_out_total", ("task", "obs-chat"), ("model", "obs-a")));
        Assert.True(metrics.Sum("yard_tokens_in_total", ("task", "obs-chat"), ("model", "obs-a")) >= 3);
        Assert.Equal(3, metrics.Sum("yard_slo_counted_total", ("task", "obs-chat")));
        Assert.Equal(3, metrics.Sum("yard_slo_met_total", ("task", "obs-chat")));
    }

    [Fact]
    public void Scrape_RateLimitedAndTimedOut_UnderTheirReasons()
    {
        var metrics = fixture.Scrape;
        Assert.Equal(1, metrics.Sum("yard_requests_total", ("task", "obs-rated"), ("outcome", "completed")));
        Assert.Equal(2, metrics.Sum("yard_requests_total", ("task", "obs-rated"), ("model", "none"), ("outcome", "refused")));
        Assert.Equal(2, metrics.Sum("yard_refusals_total", ("task", "obs-rated"), ("reason", "rate_limit")));
        Assert.Equal(1, metrics.Sum("yard_requests_total", ("task", "obs-slow"), ("outcome", "timed_out")));
        Assert.Equal(1, metrics.Sum("yard_refusals_total", ("task", "obs-slow"), ("reason", "deadline_exceeded")));
        Assert.Equal(1, metrics.Sum("yard_slo_counted_total", ("task", "obs-slow")));
        Assert.Equal(0, metrics.Sum("yard_slo_met_total", ("task", "obs-slow")));
    }

    [Fact]
    public void Scrape_ThirdModelOverBudget_EvictionCountedWithReasonAndMemoryAgainstBudget()
    {
        var metrics = fixture.Scrape;
        Assert.Equal(1, metrics.Sum("yard_model_unloads_total", ("model", "obs-a"), ("reason", "evicted")) + metrics.Sum("yard_model_unloads_total", ("model", "obs-b"), ("reason", "evicted")));
        Assert.Equal(3, metrics.Sum("yard_model_loads_total", ("model", "obs-a")) + metrics.Sum("yard_model_loads_total", ("model", "obs-b")) + metrics.Sum("yard_model_loads_total", ("model", "obs-c")));
        Assert.Equal(1, metrics.Sum("yard_model_load_seconds_count", ("model", "obs-c")));
        Assert.Equal(1, metrics.Sum("yard_replicas", ("model", "obs-c"), ("state", "ready")));
        Assert.Equal(2, metrics.Sum("yard_replicas", ("state", "ready"), ("model", "obs-a")) + metrics.Sum("yard_replicas", ("state", "ready"), ("model", "obs-b")) + 1);
        Assert.Equal(100L << 20, metrics.Sum("yard_model_memory_bytes", ("model", "obs-c"), ("device", "cpu")));
        Assert.Equal(250L << 20, metrics.Sum("yard_device_memory_budget_bytes", ("device", "cpu")));
        Assert.Equal(200L << 20, metrics.Sum("yard_device_memory_used_bytes", ("device", "cpu")));
        Assert.Equal(0, metrics.Sum("yard_queued_requests", ("model", "obs-a")));
        Assert.True(metrics.Has("yard_queued_requests", ("model", "obs-upstream")));
        Assert.Equal(2, metrics.Sum("yard_node_capacity", ("node", "local"), ("resource", "cpu_cores")));
        Assert.Equal(250L << 20, metrics.Sum("yard_node_capacity", ("node", "local"), ("resource", "memory_bytes")));
        Assert.Equal(200L << 20, metrics.Sum("yard_node_allocated", ("node", "local"), ("resource", "memory_bytes")));
    }

    [Fact]
    public void Scrape_PipelineWithARetry_StepsAttemptsAndRetriesCounted()
    {
        // Other gateways run in this test process too: each scrape shows its own server's instruments only.
        var metrics = fixture.Scrape;
        // The run failed, was retried (only its failed step runs again) and failed again.
        Assert.Equal(1, metrics.Sum("yard_step_attempts_total", ("outcome", "succeeded")));
        Assert.Equal(4, metrics.Sum("yard_step_attempts_total", ("outcome", "failed")));
        Assert.Equal(2, metrics.Sum("yard_step_retries_total"));
        Assert.Equal(0, metrics.Sum("yard_step_preemptions_total"));
        Assert.Equal(4, metrics.Sum("yard_step_duration_seconds_count", ("outcome", "failed")));
        Assert.Equal(2, metrics.Sum("yard_runs_ended_total", ("state", "failed")));
        Assert.Equal(0, metrics.Sum("yard_runs_ended_total", ("state", "succeeded")));
        Assert.Equal(0, metrics.Sum("yard_runs_active"));
        Assert.Equal(0, metrics.Sum("yard_steps")); // the ended run is no longer held
        Assert.True(metrics.Has("yard_steps", ("state", "running")));
    }

    [Fact]
    public void Scrape_BuiltInMeters_RuntimeProcessAspNetCoreAndKestrel()
    {
        var metrics = fixture.Scrape;
        Assert.True(metrics.Sum("http_server_request_duration_seconds_count") >= 1);
        Assert.True(metrics.Has("kestrel_active_connections"));
        Assert.True(metrics.Sum("dotnet_gc_heap_total_allocated_bytes_total") > 0);
        Assert.True(metrics.Sum("process_memory_usage_bytes") > 0);
    }

    [Fact]
    public void Scrape_Labels_BoundedNeverRequestOrRunIds()
    {
        var allowed = new[] { "otel_scope_name", "task", "model", "outcome", "reason", "device", "node", "resource", "state", "le" };
        Assert.All(fixture.Scrape.LabelKeys("yard_"), key => Assert.Contains(key, allowed));
        Assert.DoesNotContain("req_", fixture.Scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.RunId, fixture.Scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_BusyServerScrape_PassesCheckAndLint()
    {
        var (exitCode, output) = await Promtool.CheckMetricsAsync(fixture.Scrape.Text, Ct);
        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}: {output}");
        Assert.Equal("", output.Trim());
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _data = new();
        private SlowUpstream? _slow;
        private GatewayHarness? _gateway;

        public PrometheusText Scrape { get; private set; } = null!;

        public string RunId { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            _slow = await SlowUpstream.StartAsync();
            _gateway = await GatewayHarness.StartAsync($$"""
                server: { port: 0 }
                jobs: { stop_grace: 1s }
                devices:
                  cpu: { memory: 250MiB }
                models:
                  - { name: obs-a, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 128 }
                  - { name: obs-b, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 128 }
                  - { name: obs-c, path: stories260K.gguf, memory: 100MiB, slots: 1, context: 128 }
                  - { name: obs-upstream, backend: http, url: "{{_slow.Url}}", slots: 4 }
                tasks:
                  - { name: obs-chat, models: [obs-a], slo: { latency: 60s } }
                  - { name: obs-sum, models: [obs-b] }
                  - { name: obs-third, models: [obs-c] }
                  - { name: obs-rated, models: [obs-a], rate: { rate: 1/h, burst: 1 } }
                  - { name: obs-slow, models: [obs-upstream], slo: { latency: 60s } }
                """, _data.Path);
            var g = _gateway;
            await CompleteAsync(g, "obs-chat", 3);
            await CompleteAsync(g, "obs-rated", 1);
            for (var i = 0; i < 2; i++)
            {
                using var refused = await g.PostAsync("/v1/chat/completions", Chat("obs-rated"));
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            }

            await CompleteAsync(g, "obs-sum", 2);
            await CompleteAsync(g, "obs-third", 1); // over the budget: evicts obs-a or obs-b
            // The upstream streams a token every 50 ms for a minute: the deadline cuts the stream with an error event.
            var stream = new { model = "obs-slow", messages = new[] { new { role = "user", content = "Hello" } }, max_tokens = 4, stream = true };
            using (var slow = await g.PostAsync("/v1/chat/completions", stream, ("X-Yard-Deadline-Ms", "500")))
            {
                Assert.Contains("deadline passed", await slow.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            }

            // The gateway records a request just after its last byte: wait until the statistics have all of them.
            await g.WaitForStatsAsync(s => s.GetProperty("tasks").TryGetProperty("obs-slow", out var t) && t.GetProperty("requests").GetInt32() == 1, "the timed-out request recorded");
            RunId = await RunPipelineAsync(g);
            await g.AssertSettledAsync();
            using var response = await g.Http.GetAsync("/metrics", Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Scrape = new PrometheusText(text);
        }

        public async ValueTask DisposeAsync()
        {
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }

            if (_slow is not null)
            {
                await _slow.DisposeAsync();
            }

            _data.Dispose();
        }

        private static object Chat(string task) => new { model = task, messages = new[] { new { role = "user", content = "Hello" } }, max_tokens = 4 };

        private static async Task CompleteAsync(GatewayHarness gateway, string task, int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var response = await gateway.PostAsync("/v1/chat/completions", Chat(task));
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            }
        }

        /// <summary>A run whose second step fails twice (one retry): it ends failed; retried, it fails again.</summary>
        private static async Task<string> RunPipelineAsync(GatewayHarness gateway)
        {
            var id = await SubmitAsync(gateway);
            await WaitFailedAsync(gateway, id);
            using var retry = await gateway.SendEmptyAsync(HttpMethod.Post, $"/api/runs/{id}/retry");
            Assert.True(retry.IsSuccessStatusCode, await retry.Content.ReadAsStringAsync(Ct));
            await WaitFailedAsync(gateway, id);
            return id;
        }

        private static async Task<string> SubmitAsync(GatewayHarness gateway)
        {
            const string Yaml = """
                name: obs-pipeline
                steps:
                  - id: prepare
                    run: "true"
                  - id: flaky
                    needs: [prepare]
                    run: exit 3
                    retries: { max: 1, backoff: constant, initial: 100ms }
                """;
            using var response = await gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = Yaml, file = "obs.yaml" }, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        }

        private static async Task WaitFailedAsync(GatewayHarness gateway, string id)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var run = await gateway.GetJsonAsync($"/api/runs/{id}");
                if (run.GetProperty("state").GetString() != "running")
                {
                    Assert.Equal("failed", run.GetProperty("state").GetString());
                    return;
                }

                Assert.True(DateTime.UtcNow < deadline, $"run {id} did not end: {run}");
                await Task.Delay(50, Ct);
            }
        }
    }
}
