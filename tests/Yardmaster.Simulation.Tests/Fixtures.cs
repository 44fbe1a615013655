namespace Yardmaster.Simulation.Tests;

/// <summary>The trace excerpts in <c>fixtures/</c> and the built <c>yard</c> command.</summary>
internal static class Fixtures
{
    public static string Folder { get; } = Path.Combine(SharedModels.RepositoryRoot, "tests", "Yardmaster.Simulation.Tests", "fixtures");

    public static string OpenbNodes { get; } = Path.Combine(Folder, "openb_node_list_gpu_node.head.csv");

    public static string OpenbPods { get; } = Path.Combine(Folder, "openb_pod_list_default.head.csv");

    public static string YardDll { get; } = Path.Combine(
        SharedModels.RepositoryRoot, "src", "Yardmaster.Cli", "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "yard.dll");
}
