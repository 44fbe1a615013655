using Yardmaster.Simulation.Traces;

namespace Yardmaster.Simulation.Tests.Traces;

/// <summary>The trace readers on excerpts of the real traces and on malformed files written here.</summary>
public sealed class TraceReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_AzureExcerpt_EveryRowFromZeroInOrder()
    {
        var problems = new TraceProblems(TraceFixtures.AzureLlm, strict: true);

        var requests = TraceReader.Read(TraceFixtures.AzureLlm, TraceFormat.AzureLlm, problems);

        Assert.Equal(30, requests.Count);
        Assert.Equal(0, problems.Count);
        Assert.Equal(new TraceRequest(2, TimeSpan.Zero, 374, 44), requests[0]);
        Assert.Equal((3L, TimeSpan.FromTicks(43_145_790), 396, 109), (requests[1].Line, requests[1].Offset, requests[1].PromptTokens, requests[1].OutputTokens));
        Assert.Equal((31L, TimeSpan.FromTicks(199_139_270), 91, 16), (requests[^1].Line, requests[^1].Offset, requests[^1].PromptTokens, requests[^1].OutputTokens));
        Assert.All(requests, r => Assert.Null(r.Task ?? r.Model ?? r.Priority));
    }

    [Fact]
    public void Read_HistoryExportCsv_TakesTaskModelAndClass()
    {
        var file = Write("export.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens,task,model,priority,queue_ms,ttft_ms,latency_ms,outcome,reason,request_id",
            "2026-12-01 10:00:00.5000000,12,5,chat,tiny,high,0.1,3,9,completed,,r1",
            "2026-12-01 10:00:01.0000000,7,3,\"sum, \"\"nightly\"\"\",,batch,,,1,refused,rate_limit,r2");

        var requests = TraceReader.Read(file, TraceFormat.AzureLlm, new TraceProblems(file, strict: true));

        Assert.Equal(new TraceRequest(2, TimeSpan.Zero, 12, 5, "tiny", "chat", "high"), requests[0]);
        Assert.Equal(new TraceRequest(3, TimeSpan.FromMilliseconds(500), 7, 3, null, "sum, \"nightly\"", "batch"), requests[1]);
    }

    [Fact]
    public void Read_UnsortedWithTies_SortedByTimeKeepingFileOrderAmongEqual()
    {
        var file = Write("t.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens",
            "2023-11-16 18:00:02,1,1",
            "2023-11-16 18:00:01,2,1",
            "2023-11-16 18:00:02,3,1",
            "2023-11-16 18:00:01,4,1");

        var requests = TraceReader.Read(file, TraceFormat.AzureLlm, new TraceProblems(file, strict: true));

        Assert.Equal([2, 4, 1, 3], requests.Select(r => r.PromptTokens));
        Assert.Equal([0, 0, 1, 1], requests.Select(r => r.Offset.TotalSeconds));
    }

    [Fact]
    public void Read_AzureMalformedRows_CountedByLineAndSkipped()
    {
        var file = Write("bad.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens",
            "2023-11-16 18:00:00.0000000,10,2",
            "yesterday,10,2",
            "2023-11-16 18:00:01,-3,2",
            "2023-11-16 18:00:01,10",
            "2023-11-16 18:00:01,10,2.5",
            "\"2023-11-16 18:00:01,10,2",
            "",
            "2023-13-01 18:00:01,10,2",
            "2023-11-16 18:00:03,30,4");
        var problems = new TraceProblems("bad.csv", strict: false);

        var requests = TraceReader.Read(file, TraceFormat.AzureLlm, problems);

        Assert.Equal([10, 30], requests.Select(r => r.PromptTokens));
        Assert.Equal([2L, 10L], requests.Select(r => r.Line));
        Assert.Equal(6, problems.Count);
        Assert.Equal(
            [
                "bad.csv:3: TIMESTAMP 'yesterday' is not a time (yyyy-MM-dd HH:mm:ss[.fffffff])",
                "bad.csv:4: ContextTokens '-3' is not a whole number ≥ 0",
                "bad.csv:5: 2 fields, expected 3 (TIMESTAMP,ContextTokens,GeneratedTokens...)",
                "bad.csv:6: GeneratedTokens '2.5' is not a whole number ≥ 0",
                "bad.csv:7: field 1: a quote opened at byte 1 is not closed",
                "bad.csv:9: TIMESTAMP '2023-13-01 18:00:01' is not a time (yyyy-MM-dd HH:mm:ss[.fffffff])",
            ],
            problems.Lines());
    }

    [Fact]
    public void Read_MalformedRowStrict_FirstIsFatalWithFileAndLine()
    {
        var file = Write("bad.csv", "TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:00:00,10,2", "2023-11-16 18:00:01,ten,2", "x,y,z");

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(file, TraceFormat.AzureLlm, new TraceProblems("bad.csv", strict: true)));

        Assert.Equal("bad.csv:3: ContextTokens 'ten' is not a whole number ≥ 0", e.Message);
    }

    [Theory]
    [InlineData("azure-llm", "time,prompt,output\n1,2,3\n", "bad.csv:1: the header 'time,prompt,output' has no column TIMESTAMP, ContextTokens, GeneratedTokens; azure-llm traces start with a header naming the columns TIMESTAMP,ContextTokens,GeneratedTokens")]
    [InlineData("azure-llm", "2023-11-16 18:00:00,10,2\n", "bad.csv:1: the header '2023-11-16 18:00:00,10,2' has no column TIMESTAMP, ContextTokens, GeneratedTokens; azure-llm traces start with a header naming the columns TIMESTAMP,ContextTokens,GeneratedTokens")]
    [InlineData("azure-llm", "", "bad.csv: the file is empty; azure-llm traces start with a header naming the columns TIMESTAMP,ContextTokens,GeneratedTokens")]
    [InlineData("alibaba-genai", "gmt_create,predict_status,exec_time_seconds,prompt_length\n", "bad.csv:1: the header 'gmt_create,predict_status,exec_time_seco…' has no column checkpoint_model_version_id; alibaba-genai traces start with a header naming the columns gmt_create,predict_status,exec_time_seconds,prompt_length,checkpoint_model_version_id")]
    [InlineData("mooncake", "TIMESTAMP,ContextTokens,GeneratedTokens\n", "bad.csv:1: not JSON lines ('TIMESTAMP,ContextTokens,GeneratedTokens'); a mooncake trace has one JSON object per line with timestamp (ms), input_length, output_length")]
    public void Read_MissingOrWrongHeader_FatalNamingTheExpectedColumns(string format, string text, string message)
    {
        var file = _dir.File("bad.csv");
        File.WriteAllText(file, text);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(file, TraceFormats.Parse(format, out _)!.Value, new TraceProblems("bad.csv", strict: false)));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Read_MooncakeExcerpt_TimesInMillisecondsAndPrefixBlocks()
    {
        var requests = TraceReader.Read(TraceFixtures.Mooncake, TraceFormat.Mooncake, new TraceProblems(TraceFixtures.Mooncake, strict: true));

        Assert.Equal(20, requests.Count);
        Assert.Equal((1L, TimeSpan.Zero, 40160, 6), (requests[0].Line, requests[0].Offset, requests[0].PromptTokens, requests[0].OutputTokens));
        Assert.Equal(Enumerable.Range(0, 79).Select(i => (long)i), requests[0].PrefixBlocks!);
        Assert.Equal((20L, TimeSpan.FromMilliseconds(4840), 13492, 16), (requests[^1].Line, requests[^1].Offset, requests[^1].PromptTokens, requests[^1].OutputTokens));
        Assert.Equal(27, requests[^1].PrefixBlocks!.Count);
    }

    [Fact]
    public void Read_YardJsonl_TakesTaskModelAndClass()
    {
        var file = Write("history.jsonl",
            """{"timestamp":1500,"input_length":9,"output_length":4,"arrival":"2026-12-01T10:00:01.5Z","task":"chat","model":null,"priority":"high","queue_ms":null,"ttft_ms":3.5,"latency_ms":9,"outcome":"refused","reason":"queue_full","request_id":"r2"}""",
            """{"timestamp":0,"input_length":12,"output_length":5,"task":"batch","model":"tiny","priority":"batch","extra":{"nested":[1,2]}}""");

        var requests = TraceReader.Read(file, TraceFormat.Yard, new TraceProblems(file, strict: true));

        Assert.Equal(new TraceRequest(2, TimeSpan.Zero, 12, 5, "tiny", "batch", "batch"), requests[0]);
        Assert.Equal(new TraceRequest(1, TimeSpan.FromMilliseconds(1500), 9, 4, null, "chat", "high"), requests[1]);
    }

    [Fact]
    public void Read_JsonlMalformedRows_CountedByLineAndSkipped()
    {
        var file = Write("bad.jsonl",
            """{"timestamp":0,"input_length":10,"output_length":2}""",
            """{"timestamp":5,"input_length":10}""",
            """{"timestamp":5,"input_length":"10","output_length":2}""",
            """{"timestamp":-1,"input_length":10,"output_length":2}""",
            """{"timestamp":6,"input_length":10,"output_length":2,"hash_ids":[1,"x"]}""",
            """{"timestamp":7,"input_length":10,""",
            "[1,2]",
            """{"timestamp":8,"input_length":10,"output_length":2,"task":7}""",
            """{"timestamp":9,"input_length":30,"output_length":4}""");
        var problems = new TraceProblems("bad.jsonl", strict: false);

        var requests = TraceReader.Read(file, TraceFormat.Mooncake, problems);

        Assert.Equal([10, 30], requests.Select(r => r.PromptTokens));
        var lines = problems.Lines().ToList();
        Assert.Equal(7, problems.Count);
        Assert.Equal("bad.jsonl:2: no output_length; expected one JSON object per line with timestamp (ms), input_length, output_length", lines[0]);
        Assert.Equal("bad.jsonl:3: 'input_length' must be a whole number ≥ 0, got \"10\"", lines[1]);
        Assert.Equal("bad.jsonl:4: 'timestamp' must be a number ≥ 0 of milliseconds, got -1", lines[2]);
        Assert.Equal("bad.jsonl:5: 'hash_ids' must be an array of whole numbers, got \"x\" in it", lines[3]);
        Assert.StartsWith("bad.jsonl:6: not a JSON object: ", lines[4], StringComparison.Ordinal);
        Assert.Equal("bad.jsonl:7: not a JSON object", lines[5]);
        Assert.Equal("bad.jsonl:8: 'task' must be a string or null, got 7", lines[6]);
    }

    [Fact]
    public void Read_AlibabaGenAiExcerpt_KeepsWhatRanLeavesPendingOut()
    {
        var problems = new TraceProblems(TraceFixtures.AlibabaGenAi, strict: true);

        var requests = TraceReader.Read(TraceFixtures.AlibabaGenAi, TraceFormat.AlibabaGenAi, problems);

        Assert.Equal(20, requests.Count);
        Assert.DoesNotContain(requests, r => r.Line is 20 or 21);
        Assert.Equal(new TraceRequest(2, TimeSpan.Zero, 63, 0, "M0000", Service: TimeSpan.FromSeconds(32)), requests[0]);
        var failed = requests.Single(r => r.Line == 17);
        Assert.Equal((TimeSpan.FromSeconds(3), "M0013", 67), (failed.Service, failed.Model, failed.PromptTokens));
        Assert.Equal(new DateTime(2024, 12, 8, 17, 33, 57) - new DateTime(2024, 11, 15, 16, 57, 50), requests[^1].Offset);
        Assert.Equal(["M0000", "M0001", "M0002", "M0013", "M0017", "M0003", "M0004"], requests.Select(r => r.Model).Distinct());
    }

    [Fact]
    public void Read_AlibabaGenAiMalformedRows_CountedByLineAndSkipped()
    {
        var file = Write("lora.csv",
            "gmt_create,predict_type,predict_status,exec_time_seconds,groupId,prompt_length,negative_prompt_length,num_images_per_prompt,num_inference_steps,checkpoint_model_version_id,num_lora",
            "2024-11-15 16:57:50,TXT_2_IMG,SUCCEED,32.0,G0000,63.0,26.0,1.0,30.0,M0000,0",
            "2024-11-15 16:57:51,TXT_2_IMG,SUCCEED,32.0,G0000,63.0,26.0,1.0,30.0,,0",
            "2024-11-15 16:57:52,TXT_2_IMG,FAILED,soon,G0000,63.0,26.0,1.0,30.0,M0000,0",
            "2024-11-15 16:57:53,TXT_2_IMG,SUCCEED,3.0,G0000,63.0",
            "2024-11-15 16:57:54,TXT_2_IMG,PENDING,0.0,G0325,,,,,,0");
        var problems = new TraceProblems("lora.csv", strict: false);

        var requests = TraceReader.Read(file, TraceFormat.AlibabaGenAi, problems);

        Assert.Single(requests);
        Assert.Equal(
            [
                "lora.csv:3: checkpoint_model_version_id is empty: the request names no model",
                "lora.csv:4: exec_time_seconds 'soon' is not a number ≥ 0",
                "lora.csv:5: 6 fields, expected 11",
            ],
            problems.Lines());
    }

    [Fact]
    public void Read_LoadTimeExcerpt_MillisecondsInFileOrder()
    {
        var samples = LoadTimeSamples.Read(TraceFixtures.LoadTimes, new TraceProblems(TraceFixtures.LoadTimes, strict: true));

        Assert.Equal(20, samples.Count);
        Assert.Equal([2639, 2766, 2639, 39010], samples.Take(4).Select(s => s.TotalMilliseconds));
    }

    [Fact]
    public void Read_LoadTimesMalformed_CountedOrFatalWithoutValueColumn()
    {
        var file = Write("lat.csv", "timestamp_anon,value,container_ip", "1.0,2639.0,a", "2.0,,b", "3.0,-5,c", "4.0,100,d");
        var problems = new TraceProblems("lat.csv", strict: false);

        var samples = LoadTimeSamples.Read(file, problems);

        Assert.Equal([2639, 100], samples.Select(s => s.TotalMilliseconds));
        Assert.Equal(["lat.csv:3: value '' is not a number ≥ 0", "lat.csv:4: value '-5' is not a number ≥ 0"], problems.Lines());
        var noValue = Write("nv.csv", "timestamp_anon,latency_ms", "1.0,5");
        var e = Assert.Throws<TraceFormatException>(() => LoadTimeSamples.Read(noValue, new TraceProblems("nv.csv", strict: false)));
        Assert.Contains("has no column value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ByteOrderMarkAndLinesLongerThanTheBuffer_ReadWhole()
    {
        var file = _dir.File("long.jsonl");
        var ids = string.Join(",", Enumerable.Range(0, 30_000));
        File.WriteAllText(file, "{\"timestamp\":0,\"input_length\":1,\"output_length\":1}\r\n{\"timestamp\":3,\"input_length\":2,\"output_length\":1,\"hash_ids\":[" + ids + "]}", new System.Text.UTF8Encoding(true));

        var requests = TraceReader.Read(file, TraceFormat.Mooncake, new TraceProblems(file, strict: true));

        Assert.Equal([1, 2], requests.Select(r => r.PromptTokens));
        Assert.Equal(30_000, requests[1].PrefixBlocks!.Count);
        Assert.Equal(29_999, requests[1].PrefixBlocks![^1]);
    }

    [Fact]
    public void Read_AlibabaGpu_IsNotARequestTrace()
    {
        var e = Assert.Throws<ArgumentException>(() => TraceReader.Read(TraceFixtures.AzureLlm, TraceFormat.AlibabaGpu, new TraceProblems("x", strict: false)));
        Assert.Contains("pod list", e.Message, StringComparison.Ordinal);
    }

    private string Write(string name, params string[] lines)
    {
        var file = _dir.File(name);
        File.WriteAllText(file, string.Join('\n', lines) + "\n");
        return file;
    }
}
