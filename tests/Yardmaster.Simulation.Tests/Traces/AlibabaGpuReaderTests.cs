using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests.Traces;

public sealed class AlibabaGpuReaderTests
{
    private const string PodHeader = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";

    [Fact]
    public async Task ReadAsync_NodeFixture_ReadsEveryRow()
    {
        var problems = new TraceProblems(Fixtures.OpenbNodes, strict: false);
        using var reader = File.OpenText(Fixtures.OpenbNodes);

        var nodes = await AlibabaGpuNodeReader.ReadAsync(reader, problems, TestContext.Current.CancellationToken);

        Assert.Equal(20, nodes.Count);
        Assert.Equal(new AlibabaGpuNode(2, "openb-node-0000", 64000, 262144, 2, "P100"), nodes[0]);
        Assert.Equal(["A10", "G2", "G3", "P100", "T4", "V100M16", "V100M32"], nodes.Select(n => n.Model).Distinct().Order());
        Assert.Equal(0, problems.Count);
    }

    [Fact]
    public async Task ReadAsync_PodFixture_ReadsWholeSharedAndCpuOnlyPods()
    {
        var problems = new TraceProblems(Fixtures.OpenbPods, strict: false);
        using var reader = File.OpenText(Fixtures.OpenbPods);

        var pods = await AlibabaGpuPodReader.ReadAsync(reader, problems, TestContext.Current.CancellationToken);

        Assert.Equal(44, pods.Count);
        Assert.Equal(("openb-pod-0000", 12000L, 16384L, 1, 1000), (pods[0].Name, pods[0].CpuMillis, pods[0].MemoryMib, pods[0].GpuCount, pods[0].GpuMilli));
        Assert.Equal((1, 460), (pods[1].GpuCount, pods[1].GpuMilli));
        Assert.Contains(pods, p => p.GpuCount == 8 && p.GpuMilli == 1000);
        Assert.Contains(pods, p => p.GpuCount == 0 && p.GpuMilli == 0);
        Assert.All(pods, p => Assert.Empty(p.GpuSpec));
        Assert.Equal(0, problems.Count);
    }

    [Fact]
    public async Task ReadAsync_MalformedPodRows_CountedByLineAndColumnAndSkipped()
    {
        var problems = new TraceProblems("pods.csv", strict: false);
        var text = string.Join('\n',
            PodHeader,
            "p0,12000,16384,1,1000,,LS,Running,0,1,0",
            "p1,abc,16384,1,1000,,LS,Running,0,1,0",
            "p2,6000,12288,2,500,,LS,Running,0,1,0",
            "p3,6000,12288,1,1200,,LS,Running,0,1,0",
            "p4,6000,12288,1,460,V100M16|G2,LS",
            "p5,6000,-1,1,460,,LS,Running,0,1,0",
            "p6,6000,12288,1,460,V100M16|G2,LS,Running,0,1,0");

        var pods = await AlibabaGpuPodReader.ReadAsync(new StringReader(text), problems, TestContext.Current.CancellationToken);

        Assert.Equal(["p0", "p6"], pods.Select(p => p.Name));
        Assert.Equal(["V100M16", "G2"], pods[1].GpuSpec);
        Assert.Equal(
            [
                "pods.csv:3: cpu_milli 'abc' is not a whole number ≥ 0",
                "pods.csv:4: num_gpu 2 with gpu_milli 500: a task asking for several GPUs must take them whole (1000 thousandths each)",
                "pods.csv:5: num_gpu 1 with gpu_milli 1200: at most 64 GPUs of at most 1000 thousandths each",
                "pods.csv:6: 7 columns where the header has 11",
                "pods.csv:7: memory_mib '-1' is not a whole number ≥ 0",
            ],
            problems.Lines());
    }

    [Fact]
    public async Task ReadAsync_MalformedNodeRows_CountedByLineAndSkipped()
    {
        var problems = new TraceProblems("nodes.csv", strict: false);
        var text = "sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,2,P100\nn1,64000,262144,16,G2\nn2,64000,262144,2,\nn3,64000,2.5,2,T4\n";

        var nodes = await AlibabaGpuNodeReader.ReadAsync(new StringReader(text), problems, TestContext.Current.CancellationToken);

        Assert.Equal(["n0"], nodes.Select(n => n.Name));
        Assert.Equal(
            [
                "nodes.csv:3: gpu 16 is above the 8 GPUs per node the simulation models",
                "nodes.csv:4: model is empty on a node with GPUs",
                "nodes.csv:5: memory_mib '2.5' is not a whole number ≥ 0",
            ],
            problems.Lines());
    }

    [Fact]
    public async Task ReadAsync_Strict_FirstMalformedRowIsFatalWithItsLine()
    {
        var problems = new TraceProblems("pods.csv", strict: true);
        var text = $"{PodHeader}\np0,12000,16384,1,1000,,LS,Running,0,1,0\np1,abc,16384,1,1000,,LS,Running,0,1,0\n";

        var e = await Assert.ThrowsAsync<TraceFormatException>(() => AlibabaGpuPodReader.ReadAsync(new StringReader(text), problems, TestContext.Current.CancellationToken));

        Assert.Equal("pods.csv:3: cpu_milli 'abc' is not a whole number ≥ 0", e.Message);
    }

    [Fact]
    public async Task ReadAsync_WrongHeader_NamesTheExpectedColumns()
    {
        var problems = new TraceProblems("nodes.csv", strict: false);

        var e = await Assert.ThrowsAsync<TraceFormatException>(() => AlibabaGpuNodeReader.ReadAsync(new StringReader("sn,cpu,memory,gpu,model\nn0,1,1,1,T4\n"), problems, TestContext.Current.CancellationToken));

        Assert.Equal("nodes.csv:1: expected a header with the columns sn,cpu_milli,memory_mib,gpu,model; found 'sn,cpu,memory,gpu,model' (missing cpu_milli, memory_mib)", e.Message);
    }

    [Fact]
    public async Task ReadAsync_EmptyFile_NamesTheExpectedColumns()
    {
        var problems = new TraceProblems("pods.csv", strict: false);

        var e = await Assert.ThrowsAsync<TraceFormatException>(() => AlibabaGpuPodReader.ReadAsync(new StringReader(""), problems, TestContext.Current.CancellationToken));

        Assert.StartsWith("pods.csv:1: expected a header with the columns name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec; found an empty file", e.Message, StringComparison.Ordinal);
    }
}
