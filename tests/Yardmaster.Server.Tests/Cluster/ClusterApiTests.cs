using System.Net;
using System.Text.Json;

namespace Yardmaster.Server.Tests.Cluster;

/// <summary>
/// Two real <c>yard serve</c> processes on one PostgreSQL database: both answer the same <c>/api/cluster</c>, a follower
/// forwards a submission to the leader, which runs it on the Slurm cluster, and the shared registry reaches both.
/// </summary>
[Collection(nameof(ServeCluster))]
public sealed class ClusterApiTests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServeCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Cluster_EitherInstance_NamesTheSameLeaderAndBothInstances()
    {
        var first = await Cluster.GetJsonAsync(fixture.First.Url, "/api/cluster");
        var second = await Cluster.GetJsonAsync(fixture.Second.Url, "/api/cluster");

        var leader = first.GetProperty("leader").GetProperty("id").GetString();
        Assert.Equal(leader, second.GetProperty("leader").GetProperty("id").GetString());
        var instances = new[] { fixture.First, fixture.Second }.ToDictionary(i => i.Id, i => i.Url);
        Assert.Contains(leader!, instances.Keys);
        Assert.Equal(instances[leader!], first.GetProperty("leader").GetProperty("url").GetString());
        foreach (var answer in new[] { first, second })
        {
            var listed = answer.GetProperty("instances").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("url").GetString()!);
            Assert.Equal(instances.OrderBy(i => i.Key, StringComparer.Ordinal), listed.OrderBy(i => i.Key, StringComparer.Ordinal));
        }

        Assert.Equal((fixture.First.Id, fixture.Second.Id), (first.GetProperty("self").GetString(), second.GetProperty("self").GetString()));
    }

    [Fact]
    public async Task Cluster_WithoutAdminKey_Unauthorized()
    {
        using var anonymous = new HttpClient();
        foreach (var instance in new[] { fixture.First, fixture.Second })
        {
            using var response = await anonymous.GetAsync(new Uri(new Uri(instance.Url), "/api/cluster"), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Submit_ToFollower_LeaderRunsItOnSlurm()
    {
        var (leader, follower) = await RolesAsync();
        const string Yaml = "name: forwarded\nsteps:\n  - id: where\n    run: echo \"$SLURMD_NODENAME\" > where.txt\n";

        using var response = await Cluster.PostAsync(follower.Url, "/api/runs", new { yaml = Yaml, file = "forwarded.yaml" });
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {text}\n{Cluster.Output}");
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(leader.Id, response.Headers.GetValues("X-Yard-Forwarded-By").Single());
        Assert.Equal("/api/runs/" + id, response.Headers.Location?.ToString());

        var run = await Cluster.WaitForEndAsync(follower.Url, id, TimeSpan.FromSeconds(60));
        Assert.True(run.GetProperty("state").GetString() == "succeeded", run.GetRawText());
        var attempt = run.GetProperty("attempts").EnumerateArray().Single();
        Assert.Equal("slurm", attempt.GetProperty("executor").GetString());
        var node = (await File.ReadAllTextAsync(Path.Combine(run.GetProperty("working_directory").GetString()!, "where.txt"), Ct)).Trim();
        Assert.Equal(attempt.GetProperty("node").GetString(), node);
        Assert.Contains(node, new[] { "n1", "n2" });
        Assert.Equal("forwarded", (await Cluster.GetJsonAsync(leader.Url, $"/api/runs/{id}")).GetProperty("pipeline").GetString());
    }

    [Fact]
    public async Task Task_CreatedThroughOneInstance_AnswersOnTheOtherWithinSeconds()
    {
        var name = "shared-" + Guid.NewGuid().ToString("N")[..8];
        using (var model = await Cluster.PostAsync(fixture.First.Url, "/api/models", new { name = name + "-model", backend = "http", url = "http://127.0.0.1:9/v1" }))
        using (var created = await Cluster.PostAsync(fixture.First.Url, "/api/tasks", new { name, priority = "high", models = new[] { name + "-model" }, max_concurrency = 3 }))
        {
            Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (model.StatusCode, created.StatusCode));
        }

        // Every instance rereads the shared registry every third of a lease (1 s here).
        var status = await ServeCluster.PollAsync(() => StatusAsync(fixture.Second.Url, $"/api/tasks/{name}"), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(10), $"task {name} on the second instance");
        Assert.Equal(HttpStatusCode.OK, status);
        var task = await Cluster.GetJsonAsync(fixture.Second.Url, $"/api/tasks/{name}");
        Assert.Equal(("high", 3), (task.GetProperty("priority").GetString(), task.GetProperty("max_concurrency").GetInt32()));
    }

    private async Task<(ServeInstance Leader, ServeInstance Follower)> RolesAsync()
    {
        var leader = await Cluster.LeaderAsync(fixture.First.Url);
        return leader == fixture.First.Id ? (fixture.First, fixture.Second) : (fixture.Second, fixture.First);
    }

    private async Task<HttpStatusCode> StatusAsync(string url, string path)
    {
        using var response = await Cluster.Http.GetAsync(new Uri(new Uri(url), path), Ct);
        return response.StatusCode;
    }
}
