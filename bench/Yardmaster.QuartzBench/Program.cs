using System.Diagnostics;
using System.Globalization;
using Quartz;
using Yardmaster.QuartzBench;

// Durable throughput of Quartz.NET as a baseline for Yardmaster's job scheduler: N trivial jobs (a no-op
// IJob, each with its own trigger firing now) through the ADO.NET job store on a fresh SQLite file, timed
// from handing them to the started scheduler until the last one has executed. One JSON line per run on
// standard output (for bench/pipelines.py), a readable line on standard error.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Yardmaster.QuartzBench [--jobs N] [--concurrency \"default 2\"] [--repeat R] [--work DIR]");
    return 2;
}

Directory.CreateDirectory(options.Work);

// One untimed run first, so that the measured ones do not include compiling Quartz's and SQLite's code paths.
var run = 0;
await QuartzRun.RunAsync(options.Work, run, Math.Min(options.Jobs, 100), 2, CancellationToken.None);
foreach (var concurrency in options.Concurrency)
{
    for (var i = 0; i < options.Repeat; i++)
    {
        run++;
        var result = await QuartzRun.RunAsync(options.Work, run, options.Jobs, concurrency, CancellationToken.None);
        Console.WriteLine(result.ToJson());
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"quartz: {result.Jobs} jobs, max concurrency {result.MaxConcurrency}: start {result.StartSeconds:F3} s, schedule {result.ScheduleSeconds:F3} s, all executed {result.TotalSeconds:F3} s, {result.JobsPerSecond:F1} jobs/s"));
    }
}

return 0;

/// <summary>Command-line options; null from <see cref="Parse"/> when they do not parse.</summary>
internal sealed record BenchOptions(int Jobs, IReadOnlyList<int?> Concurrency, int Repeat, string Work)
{
    public static BenchOptions? Parse(string[] args)
    {
        var jobs = 1000;
        IReadOnlyList<int?> concurrency = [null, 2];
        var repeat = 3;
        var work = Path.Combine(Path.GetTempPath(), "yard-quartzbench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--jobs" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0:
                    jobs = n;
                    break;
                case "--repeat" when int.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0:
                    repeat = r;
                    break;
                case "--work" when value is not null:
                    work = value;
                    break;
                case "--concurrency" when value is not null:
                    var list = new List<int?>();
                    foreach (var item in value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (item == "default")
                        {
                            list.Add(null);
                        }
                        else if (int.TryParse(item, CultureInfo.InvariantCulture, out var c) && c > 0)
                        {
                            list.Add(c);
                        }
                        else
                        {
                            return null;
                        }
                    }

                    concurrency = list;
                    break;
                default:
                    return null;
            }

            i++;
        }

        return new BenchOptions(jobs, concurrency, repeat, work);
    }
}

/// <summary>One measured run on a fresh database.</summary>
internal sealed record QuartzRun(int Jobs, int MaxConcurrency, double StartSeconds, double ScheduleSeconds, double TotalSeconds)
{
    public double JobsPerSecond => Jobs / TotalSeconds;

    public static async Task<QuartzRun> RunAsync(string work, int run, int jobs, int? concurrency, CancellationToken cancellationToken)
    {
        var file = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"quartz-{run}.db"));
        foreach (var stale in new[] { file, file + "-journal", file + "-wal", file + "-shm" })
        {
            File.Delete(stale);
        }

        var connectionString = "Data Source=" + file;
        await QuartzSchema.CreateAsync(connectionString, cancellationToken);
        var maxConcurrency = concurrency ?? ThreadPoolOptions.DefaultMaxConcurrency;

        var clock = Stopwatch.StartNew();
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(scheduler => scheduler.InstanceName = string.Create(CultureInfo.InvariantCulture, $"bench-{run}"));
            q.UseDefaultThreadPool(maxConcurrency);
            q.UsePersistentStore(store =>
            {
                store.UseSqlite(connectionString);
                store.UseSystemTextJsonSerializer();
            });
        }).BuildScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        var started = clock.Elapsed.TotalSeconds;

        Completions.Reset(jobs);
        var batch = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(jobs);
        for (var i = 0; i < jobs; i++)
        {
            var name = i.ToString(CultureInfo.InvariantCulture);
            var job = JobBuilder.Create<NoOpJob>().WithIdentity("job-" + name, "bench").Build();
            var trigger = TriggerBuilder.Create().WithIdentity("trigger-" + name, "bench").StartNow().Build();
            batch[job] = [trigger];
        }

        clock.Restart();
        await scheduler.ScheduleJobs(batch, cancellationToken: cancellationToken);
        var scheduled = clock.Elapsed.TotalSeconds;
        var done = await Task.WhenAny(Completions.AllDone, Task.Delay(TimeSpan.FromMinutes(10), cancellationToken));
        var total = clock.Elapsed.TotalSeconds;
        await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
        if (done != Completions.AllDone)
        {
            throw new TimeoutException($"only {Completions.Count} of {jobs} jobs executed in 10 minutes");
        }

        return new QuartzRun(jobs, maxConcurrency, started, scheduled, total);
    }

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $$"""{"jobs":{{Jobs}},"max_concurrency":{{MaxConcurrency}},"start_s":{{StartSeconds:F4}},"schedule_s":{{ScheduleSeconds:F4}},"total_s":{{TotalSeconds:F4}},"jobs_per_s":{{JobsPerSecond:F2}}}""");
}
