using BenchmarkDotNet.Attributes;
using Yardmaster.Core;
using Yardmaster.Core.Queueing;

namespace Yardmaster.Benchmarks.Scheduling;

/// <summary>
/// One scheduling decision of a model's request queue in steady state: enqueue one request and
/// dequeue one, with 10,000 requests waiting across 100 tasks (20 per priority class, weights 1 to 4,
/// deadlines 1 to 60 s, costs 1 to 256 tokens). The clock advances 1 ms per decision with a 30 s
/// aging bound, so once warm the fair queue serves both by class and fair share and, for requests
/// that starved 30 s behind more urgent classes, by aging. The allocated bytes are the new
/// <see cref="QueuedRequest"/> itself. Goal: under 2 µs per decision.
/// </summary>
[MemoryDiagnoser]
public class QueueDecisionBenchmarks
{
    private const int Waiting = 10_000;
    private const int Tasks = 100;

    private readonly string[] _taskNames = new string[Tasks];
    private IRequestQueue _queue = null!;
    private DateTimeOffset _now;
    private long _nextId;
    private uint _random;

    [Params("fair", "fcfs")]
    public string Policy { get; set; } = "fair";

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Tasks; i++)
        {
            _taskNames[i] = "task-" + i;
        }

        _queue = QueuePolicies.Create(Policy)!.CreateQueue(new QueueOptions(TimeSpan.FromSeconds(30)));
        _now = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        _random = 12345;
        for (var i = 0; i < Waiting; i++)
        {
            _queue.Enqueue(NextRequest());
        }
    }

    [Benchmark]
    public long EnqueueDequeue()
    {
        _queue.Enqueue(NextRequest());
        _now = _now.AddMilliseconds(1);
        return _queue.Dequeue(_now)!.Id;
    }

    private QueuedRequest NextRequest()
    {
        var task = (int)(Next() % Tasks);
        return new QueuedRequest
        {
            Id = ++_nextId,
            Task = _taskNames[task],
            Priority = (PriorityClass)(task % 5),
            Weight = 1 + (task / 5 % 4),
            Arrival = _now,
            Deadline = _now.AddSeconds(1 + (Next() % 60)),
            Cost = 1 + (Next() % 256),
        };
    }

    // xorshift32: deterministic, allocation-free and cheaper than the work measured.
    private uint Next()
    {
        _random ^= _random << 13;
        _random ^= _random >> 17;
        _random ^= _random << 5;
        return _random;
    }
}
