using System.Net;
using System.Text.Json;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Pipelines;

/// <summary>A real <c>yard serve</c> gateway whose data folder is a small tmpfs that fills up while a run is running.</summary>
public sealed class RunsApiDiskFullTests
{
    private const string AdminKey = "disk-admin-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostRuns_DiskFullMidRun_507UntilSpaceReturnsThenEveryStepExitIsRecorded()
    {
        using var disk = SmallTmpfs.Mount(4 << 20);
        using var signals = new TempDirectory();
        await using var gateway = await GatewayHarness.StartAsync($$"""
            server: { port: 0 }
            auth: { admin_keys: [{{AdminKey}}] }
            jobs: { stop_grace: 1s, docker: { enabled: false } }
            """, disk.Path, AdminKey);
        var id = await SubmitAsync(gateway, $$"""
            name: filling
            steps:
              - id: first
                run: while [ ! -e {{signals.File("go")}} ] && [ -d {{signals.Path}} ]; do sleep 0.05; done
              - id: second
                needs: [first]
                run: echo second > second.txt
            """);
        await WaitForStepAsync(gateway, id, "first", "running");

        disk.Fill();
        using (var refused = await gateway.PostAsync("/api/runs", new { yaml = "name: late\nsteps:\n  - id: a\n    run: true\n" }))
        {
            await AssertInsufficientStorageAsync(refused, disk.Path);
        }

        // The step ends while the disk is full: the scheduler cannot store its exit, keeps it and is refused meanwhile.
        await File.WriteAllTextAsync(signals.File("go"), "go", Ct);
        using (var retry = await PollUntilAsync(() => gateway.PostAsync($"/api/runs/{id}/retry", new { }), r => r.StatusCode != HttpStatusCode.Conflict, "the scheduler failing to store the exit"))
        {
            await AssertInsufficientStorageAsync(retry, disk.Path);
        }

        using (var cancel = await gateway.PostAsync($"/api/runs/{id}/cancel", new { }))
        {
            await AssertInsufficientStorageAsync(cancel, disk.Path);
        }

        var stalled = await gateway.GetJsonAsync($"/api/runs/{id}");
        Assert.Equal("running", stalled.GetProperty("state").GetString());
        Assert.Equal("running", Step(stalled, "first").GetProperty("state").GetString());

        disk.Free();
        var run = await PollUntilAsync(() => gateway.GetJsonAsync($"/api/runs/{id}"), r => r.GetProperty("state").GetString() != "running", "the run ending once space returned");
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        foreach (var attempt in run.GetProperty("attempts").EnumerateArray())
        {
            Assert.Equal("succeeded", attempt.GetProperty("outcome").GetString());
            Assert.Equal(0, attempt.GetProperty("exit_code").GetInt32());
        }

        Assert.Equal(2, run.GetProperty("attempts").GetArrayLength());
        Assert.Equal("second\n", await File.ReadAllTextAsync(Path.Combine(run.GetProperty("working_directory").GetString()!, "second.txt"), Ct));
        using var next = await gateway.PostAsync("/api/runs", new { yaml = "name: after\nsteps:\n  - id: a\n    run: true\n" });
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
    }

    private static async Task AssertInsufficientStorageAsync(HttpResponseMessage response, string folder)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        Assert.StartsWith("the store could not write: disk full at " + folder, detail, StringComparison.Ordinal);
        Assert.EndsWith("; free space and retry", detail, StringComparison.Ordinal);
    }

    private static JsonElement Step(JsonElement run, string id) => run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    private static async Task<string> SubmitAsync(GatewayHarness gateway, string yaml)
    {
        using var response = await gateway.PostAsync("/api/runs", new { yaml });
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private static Task<JsonElement> WaitForStepAsync(GatewayHarness gateway, string id, string step, string state) =>
        PollUntilAsync(() => gateway.GetJsonAsync($"/api/runs/{id}"), r => Step(r, step).GetProperty("state").GetString() == state, $"step '{step}' becoming {state}");

    /// <summary>Calls <paramref name="call"/> every 50 ms until <paramref name="done"/> holds (returning that answer), failing after 30 s.</summary>
    private static async Task<T> PollUntilAsync<T>(Func<Task<T>> call, Func<T, bool> done, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var answer = await call();
            if (done(answer))
            {
                return answer;
            }

            (answer as IDisposable)?.Dispose();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{what} did not happen within 30 s");
            await Task.Delay(50, Ct);
        }
    }
}
