using System.Net;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Observability;

/// <summary>Who may scrape <c>/metrics</c>: the admin key, as on <c>/api</c>, unless <c>metrics.public: true</c>; nobody when disabled.</summary>
public sealed class MetricsAuthTests
{
    private const string AdminKey = "metrics-admin-key";
    private const string UserKey = "metrics-user-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(string metrics) => $$"""
        server: { port: 0 }
        auth:
          api_keys: [{{UserKey}}]
          admin_keys: [{{AdminKey}}]
        metrics: {{metrics}}
        models:
          - { name: stories, path: stories260K.gguf, slots: 1, context: 64 }
        """;

    [Fact]
    public async Task Metrics_NoKey_401()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("{ enabled: true }"), data.Path, AdminKey);
        using var anonymous = gateway.Client(null);
        using var response = await anonymous.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("yard_", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WrongKeyOrUserKey_RefusedAsOnApi()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("{ enabled: true }"), data.Path, AdminKey);
        using var wrong = gateway.Client("not-a-key");
        using var user = gateway.Client(UserKey);
        foreach (var path in new[] { "/metrics", "/api/stats" })
        {
            using var wrongAnswer = await wrong.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);
            using var userAnswer = await user.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, userAnswer.StatusCode);
        }

        using var admin = await gateway.Http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("yard_device_memory_budget_bytes", await admin.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Public_200WithoutKeyWhileApiStaysClosed()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("{ enabled: true, public: true }"), data.Path, AdminKey);
        using var anonymous = gateway.Client(null);
        using var metrics = await anonymous.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("yard_device_memory_budget_bytes", await metrics.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var api = await anonymous.GetAsync("/api/stats", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Metrics_Disabled_404EvenForAdmin()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("{ enabled: false }"), data.Path, AdminKey);
        using var response = await gateway.Http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var anonymous = gateway.Client(null);
        using var open = await anonymous.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.NotFound, open.StatusCode);
    }

    [Fact]
    public async Task Metrics_ForeignOrigin_403()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync(Config("{ enabled: true, public: true }"), data.Path, AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await gateway.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
