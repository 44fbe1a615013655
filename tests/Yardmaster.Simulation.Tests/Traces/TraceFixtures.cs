namespace Yardmaster.Simulation.Tests.Traces;

/// <summary>The trace excerpts in <c>tests/Yardmaster.Simulation.Tests/fixtures</c> (see the README there).</summary>
internal static class TraceFixtures
{
    public static string Directory { get; } = Path.Combine(SharedModels.RepositoryRoot, "tests", "Yardmaster.Simulation.Tests", "fixtures");

    public static string AzureLlm => Path.Combine(Directory, "azure-llm-conv-head.csv");

    public static string Mooncake => Path.Combine(Directory, "mooncake-synthetic-head.jsonl");

    public static string AlibabaGenAi => Path.Combine(Directory, "lora_request_trace-excerpt.csv");

    public static string LoadTimes => Path.Combine(Directory, "basemodel_update_latency-head.csv");
}
