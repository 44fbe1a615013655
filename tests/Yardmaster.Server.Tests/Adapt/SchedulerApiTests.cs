using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Adapt;

/// <summary>
/// <c>GET/PUT /api/scheduler</c> and <c>GET /api/adaptations</c> on a real gateway: a change by hand is in force at once
/// and listed; without the admin key, or with a body that is not a valid change, nothing changes and the answer says why.
/// </summary>
public sealed class SchedulerApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_OneAgingBoundForEveryClass_InForceAndListed()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync("server: { port: 0 }", data.Path);
        var before = await gateway.GetJsonAsync("/api/scheduler");
        Assert.Equal("10m", before.GetProperty("max_wait").GetProperty("batch").GetString());
        var off = await gateway.GetJsonAsync("/api/adaptations");
        Assert.False(off.GetProperty("adapt").GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, off.GetProperty("last_check").ValueKind);

        using var put = await gateway.Http.PutAsJsonAsync("/api/scheduler", new { queue = "fcfs", eviction = "lru", max_wait = "45s", max_queue = 64 }, Ct);
        var answer = JsonDocument.Parse(await put.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(("fcfs", "lru", 64), (answer.GetProperty("queue").GetString(), answer.GetProperty("eviction").GetString(), answer.GetProperty("max_queue").GetInt32()));
        Assert.All(answer.GetProperty("max_wait").EnumerateObject(), w => Assert.Equal("45s", w.Value.GetString()));
        Assert.Equal(answer.ToString(), (await gateway.GetJsonAsync("/api/scheduler")).ToString());
        var entry = Assert.Single((await gateway.GetJsonAsync("/api/adaptations")).GetProperty("adaptations").EnumerateArray());
        Assert.Equal(("api", "applied"), (entry.GetProperty("source").GetString(), entry.GetProperty("status").GetString()));
        Assert.StartsWith("queue fair -> fcfs, eviction session-lfu -> lru, max_queue 4096 -> 64, ", entry.GetProperty("change").GetString(), StringComparison.Ordinal);
        Assert.Contains("max_wait.batch 10m -> 45s", entry.GetProperty("change").GetString(), StringComparison.Ordinal);

        // The same again changes nothing, and lists nothing more.
        using var same = await gateway.Http.PutAsJsonAsync("/api/scheduler", new { max_wait = "45s" }, Ct);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Single((await gateway.GetJsonAsync("/api/adaptations")).GetProperty("adaptations").EnumerateArray());
    }

    [Fact]
    public async Task Put_InvalidChange_400NamingEveryFieldAndNothingChanges()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync("server: { port: 0 }", data.Path);
        var before = (await gateway.GetJsonAsync("/api/scheduler")).ToString();

        using var content = new StringContent("""{"queue": "lifo", "max_queue": 0, "max_wait": {"batch": "soon", "urgent": "1s"}, "eviction": "mru", "routing": "p2c"}""", Encoding.UTF8, "application/json");
        using var put = await gateway.Http.PutAsync("/api/scheduler", content, Ct);
        var problem = JsonDocument.Parse(await put.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("the scheduler settings are not valid; nothing changed", problem.GetProperty("detail").GetString());
        var errors = string.Join("\n", problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("'queue' must be one of fair | fair-sjf | fcfs", errors, StringComparison.Ordinal);
        Assert.Contains("'max_queue'", errors, StringComparison.Ordinal);
        Assert.Contains("'max_wait.batch'", errors, StringComparison.Ordinal);
        Assert.Contains("max_wait.urgent", errors, StringComparison.Ordinal);
        Assert.Contains("'eviction' must be one of session-lfu | gdsf | lru", errors, StringComparison.Ordinal);
        Assert.Contains("routing", errors, StringComparison.Ordinal);
        Assert.Equal(before, (await gateway.GetJsonAsync("/api/scheduler")).ToString());
        Assert.Empty((await gateway.GetJsonAsync("/api/adaptations")).GetProperty("adaptations").EnumerateArray());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"max_wait\": 5}")]
    [InlineData("{\"max_wait\": \"-5s\"}")]
    [InlineData("{")]
    public async Task Put_BodyNotAChange_400(string body)
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync("server: { port: 0 }", data.Path);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var put = await gateway.Http.PutAsync("/api/scheduler", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("10m", (await gateway.GetJsonAsync("/api/scheduler")).GetProperty("max_wait").GetProperty("batch").GetString());
    }

    [Fact]
    public async Task Put_WithoutAdminKey_RefusedAndNothingChanges()
    {
        using var data = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync("server: { port: 0 }", data.Path);
        using var anonymous = gateway.Client(null);
        using var user = gateway.Client("not-the-admin-key");

        using var noKey = await anonymous.PutAsJsonAsync("/api/scheduler", new { max_wait = "1s" }, Ct);
        using var wrongKey = await user.PutAsJsonAsync("/api/scheduler", new { max_wait = "1s" }, Ct);
        using var read = await anonymous.GetAsync("/api/adaptations", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.True(wrongKey.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, wrongKey.StatusCode.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal("10m", (await gateway.GetJsonAsync("/api/scheduler")).GetProperty("max_wait").GetProperty("batch").GetString());
    }
}
