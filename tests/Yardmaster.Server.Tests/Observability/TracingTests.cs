using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Observability;

/// <summary>With <c>tracing.otlp_endpoint</c>, spans of requests and step attempts reach a real OTLP/HTTP receiver as protobuf.</summary>
public sealed class TracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tracing_RequestAndStepAttempt_ExportedOverOtlpHttpProtobuf()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var data = new TempDirectory();
        var gateway = await GatewayHarness.StartAsync($$"""
            server: { port: 0 }
            tracing: { otlp_endpoint: "{{receiver.Url}}", service_name: trace-test-service }
            models:
              - { name: stories, path: stories260K.gguf, slots: 1, context: 64 }
            tasks:
              - { name: traced-chat, models: [stories] }
            """, data.Path);
        string requestId;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new { model = "traced-chat", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 2 }),
            };
            request.Headers.Add("X-Request-Id", "trace-me-0123456789");
            using var response = await gateway.Http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            requestId = response.Headers.GetValues("X-Request-Id").Single();

            using var submitted = await gateway.Http.PostAsJsonAsync("/api/runs", new { yaml = "name: traced\nsteps:\n  - id: traced-step\n    run: \"true\"\n", file = "t.yaml" }, Ct);
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetString()!;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((await gateway.GetJsonAsync($"/api/runs/{id}")).GetProperty("state").GetString() == "running")
            {
                Assert.True(DateTime.UtcNow < deadline, "the run did not end");
                await Task.Delay(50, Ct);
            }
        }
        finally
        {
            await gateway.DisposeAsync(); // the tracer provider flushes its batch on shutdown
        }

        Assert.NotEmpty(receiver.Exports);
        Assert.All(receiver.Exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
        Assert.True(receiver.Received("yard.request"), "no yard.request span");
        Assert.True(receiver.Received(requestId), "the request span lacks the request id");
        Assert.True(receiver.Received("traced-chat"), "the request span lacks the task");
        Assert.True(receiver.Received("yard.step"), "no yard.step span");
        Assert.True(receiver.Received("traced-step"), "the step span lacks the step id");
        Assert.True(receiver.Received("trace-test-service"), "the service name is not in the resource");
    }
}
