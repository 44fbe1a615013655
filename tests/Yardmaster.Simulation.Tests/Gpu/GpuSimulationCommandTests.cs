using System.Text.Json;

namespace Yardmaster.Simulation.Tests.Gpu;

/// <summary><c>yard simulate --format alibaba-gpu</c> run as a child process on the trace excerpts.</summary>
public sealed class GpuSimulationCommandTests
{
    [Fact]
    public async Task Simulate_OpenbFixtures_WritesSummaryTableAndPlotsForEveryPolicy()
    {
        using var dir = new TempDirectory();

        var (exit, stdout, stderr) = await YardCommand.RunAsync(
            "simulate", "--format", "alibaba-gpu", "--trace", Fixtures.OpenbPods, "--nodes", Fixtures.OpenbNodes, "--seed", "3", "--out", dir.Path);

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(dir.File("summary.json"), TestContext.Current.CancellationToken));
        var root = json.RootElement;
        Assert.Equal(["fgd", "best-fit", "first-fit"], root.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(44, root.GetProperty("pods").GetInt32());
        Assert.Equal(20, root.GetProperty("cluster").GetProperty("nodes").GetInt32());
        Assert.Equal(10, root.GetProperty("repetitions").GetInt32());
        var points = root.GetProperty("policies")[0].GetProperty("points");
        Assert.Equal(131, points.GetArrayLength()); // 0% to 130% arrived
        Assert.Equal(100, points[0].GetProperty("unallocated").GetDouble());
        Assert.InRange(points[130].GetProperty("failedGpu").GetDouble(), 29.9, 130); // the GPUs above capacity at least cannot be placed

        var markdown = await File.ReadAllTextAsync(dir.File("summary.md"), TestContext.Current.CancellationToken);
        Assert.Contains("| policy | 80% | 90% | 95% | 100% | 110% | 120% | 130% |", markdown, StringComparison.Ordinal);
        foreach (var policy in new[] { "fgd", "best-fit", "first-fit" })
        {
            Assert.Contains($"| {policy} | ", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("| fgd | ", stdout, StringComparison.Ordinal);
        foreach (var plot in new[] { "unallocated-gpu.svg", "failed-gpu.svg", "fragmentation.svg" })
        {
            var svg = await File.ReadAllTextAsync(dir.File(plot), TestContext.Current.CancellationToken);
            Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
            Assert.Contains(">best-fit</text>", svg, StringComparison.Ordinal);
            Assert.Contains(">fgd</text>", svg, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Simulate_SamePolicySeed_SameSummary()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        foreach (var dir in new[] { first, second })
        {
            var (exit, _, stderr) = await YardCommand.RunAsync(
                "simulate", "--format", "alibaba-gpu", "--trace", Fixtures.OpenbPods, "--nodes", Fixtures.OpenbNodes, "--seed", "5", "--policy", "placement=random", "--out", dir.Path);
            Assert.True(exit == 0, stderr);
        }

        Assert.Equal(Policies(first), Policies(second));
        Assert.Equal(["fgd", "best-fit", "first-fit", "random"], JsonDocument.Parse(File.ReadAllText(first.File("summary.json"))).RootElement.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Simulate_UnknownPlacementPolicy_ListsTheKnownOnes()
    {
        using var dir = new TempDirectory();

        var (exit, _, stderr) = await YardCommand.RunAsync(
            "simulate", "--format", "alibaba-gpu", "--trace", Fixtures.OpenbPods, "--nodes", Fixtures.OpenbNodes, "--policy", "placement=worst-fit", "--out", dir.Path);

        Assert.Equal(2, exit);
        Assert.Contains("error: --policy placement=worst-fit: unknown placement policy; known: fgd, fgd-exact, best-fit, first-fit, dot-product, random (or all)", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("summary.json")));
    }

    [Fact]
    public async Task Simulate_WithoutNodes_SaysAlibabaGpuNeedsThem()
    {
        var (exit, _, stderr) = await YardCommand.RunAsync("simulate", "--format", "alibaba-gpu", "--trace", Fixtures.OpenbPods);

        Assert.Equal(2, exit);
        Assert.Contains("error: --nodes: alibaba-gpu needs the node list (openb_node_list_gpu_node.csv)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_MalformedPodRow_WarnsWithFileAndLine_FatalWithStrict()
    {
        using var dir = new TempDirectory();
        var pods = dir.File("pods.csv");
        var lines = File.ReadAllLines(Fixtures.OpenbPods).ToList();
        lines.Insert(3, "openb-pod-bad,6000,12288,1,many,,LS,Running,0,1,0"); // line 4
        await File.WriteAllLinesAsync(pods, lines, TestContext.Current.CancellationToken);

        var (exit, _, stderr) = await YardCommand.RunAsync("simulate", "--format", "alibaba-gpu", "--trace", pods, "--nodes", Fixtures.OpenbNodes, "--out", dir.File("out"));
        Assert.True(exit == 0, stderr);
        Assert.Contains($"warning: {pods}:4: gpu_milli 'many' is not a whole number ≥ 0", stderr, StringComparison.Ordinal);
        Assert.Contains("(44 read, 1 malformed rows skipped)", await File.ReadAllTextAsync(dir.File("out/summary.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        (exit, _, stderr) = await YardCommand.RunAsync("simulate", "--format", "alibaba-gpu", "--trace", pods, "--nodes", Fixtures.OpenbNodes, "--out", dir.File("strict"), "--strict");
        Assert.Equal(2, exit);
        Assert.Contains($"error: {pods}:4: gpu_milli 'many' is not a whole number ≥ 0", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("strict")));
    }

    private static string Policies(TempDirectory dir) =>
        JsonDocument.Parse(File.ReadAllText(dir.File("summary.json"))).RootElement.GetProperty("policies").GetRawText();
}
