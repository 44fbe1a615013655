using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FsCheck.Fluent;
using Yardmaster.Server.Tests.BadInput;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// Random and mutated bodies to every <c>/v1</c> and <c>/api</c> route of one real gateway: each answer is a
/// success or a well-formed 4xx error (a JSON body with a message), never a 5xx, except 503/504 on the
/// completion and embedding routes where the scheduler refuses by design; and <c>/health</c> answers afterwards. Seeded
/// and bounded; set <c>YARD_FUZZ_SEED</c> to replay a failure's seed or try another.
/// </summary>
public sealed class GatewayRandomBodyPropertyTests(BadInputGatewayFixture fixture) : IClassFixture<BadInputGatewayFixture>
{
    private const int Cases = 300;
    private const int Size = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRoute_RandomAndMutatedBodies_SuccessOr4xxNever5xx()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("YARD_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261205UL;
        var requests = Gen.Sample(RandomRequests.Generator, Cases, new FsCheck.Rnd(seed, 0x9E3779B97F4A7C15UL), Size).ToList();
        Assert.Equal(Cases, requests.Count);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var index = 0;
        foreach (var request in requests)
        {
            var (status, problem) = await SendAsync(request);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (problem is not null)
            {
                failures.Add($"case {index}: {problem}; request: {request}");
            }

            index++;
        }

        TestContext.Current.SendDiagnosticMessage($"seed {seed}: {Cases} requests over {RandomRequests.Routes.Count()} routes; statuses: {string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}"))}");
        Assert.True(failures.Count == 0, $"seed {seed} (replay with YARD_FUZZ_SEED={seed}): {failures.Count} of {Cases} answers were not a success or a well-formed 4xx:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");
        using var health = await fixture.Gateway.Http.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(statuses.Keys.Any(k => k is >= 200 and < 300) && statuses.Keys.Any(k => k is >= 400 and < 500), $"the generator should reach both successes and refusals; statuses: {string.Join(", ", statuses.Keys)}");
    }

    /// <summary>Sends one request; returns its status and what is wrong with the answer, or null when it is acceptable.</summary>
    private async Task<(int Status, string? Problem)> SendAsync(RandomRequest generated)
    {
        using var request = new HttpRequestMessage(new HttpMethod(generated.Method), generated.Path);
        if (generated.Body is not null)
        {
            request.Content = new ByteArrayContent(generated.Body);
            request.Content.Headers.ContentType = generated.ContentType is null ? null : MediaTypeHeaderValue.Parse(generated.ContentType);
        }

        using var response = await fixture.Gateway.Http.SendAsync(request, Ct);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(Ct);
        var completion = generated.Path.StartsWith("/v1/", StringComparison.Ordinal) && (generated.Path.EndsWith("completions", StringComparison.Ordinal) || generated.Path.EndsWith("embeddings", StringComparison.Ordinal));
        if (status is >= 200 and < 400)
        {
            return (status, null);
        }

        if (status >= 500 && !(completion && status is 503 or 504))
        {
            return (status, $"{status} {Cut(text)}");
        }

        return (status, ErrorMessage(text) is { Length: > 0 } ? null : $"{status} without a JSON error message: {Cut(text)}");
    }

    /// <summary>OpenAI's <c>error.message</c> or a problem's <c>detail</c>; null when the body is neither.</summary>
    private static string? ErrorMessage(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                return m.GetString();
            }

            return root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
