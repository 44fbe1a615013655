using Yardmaster.Core;
using Yardmaster.Core.Configuration;

namespace Yardmaster.Runtime.Configuration;

/// <summary>Maps one entry of <c>tasks:</c> to a <see cref="TaskDefinition"/>.</summary>
internal static class TaskSection
{
    public static readonly string[] Keys = ["name", "priority", "slo", "models", "max_concurrency", "rate", "weight", "quality", "cache", "ensemble"];

    private static readonly string[] _sloKeys = ["ttft", "latency"];
    private static readonly string[] _rateKeys = ["rate", "burst"];
    private static readonly string[] _qualityKeys = ["metric", "min"];
    private static readonly string[] _cacheKeys = ["ttl", "max_entries", "max_bytes"];
    private static readonly string[] _ensembleKeys = ["members", "combine", "judge", "min_members"];
    private static readonly Dictionary<string, EnsembleCombine> _combines = EnsembleCombines.All.ToDictionary(c => c.Text, c => c.Value, StringComparer.OrdinalIgnoreCase);

    public static TaskDefinition Read(ConfigSection s)
    {
        var defaults = new TaskDefinition { Name = string.Empty };
        var slo = s.Section("slo", _sloKeys);
        return new TaskDefinition
        {
            Name = s.String("name") ?? string.Empty,
            Priority = ReadPriority(s) ?? defaults.Priority,
            Ttft = slo?.Duration("ttft"),
            Latency = slo?.Duration("latency"),
            Models = s.Strings("models", "model names") ?? defaults.Models,
            MaxConcurrency = s.Int("max_concurrency"),
            Rate = ReadRate(s),
            Weight = s.Number("weight") ?? defaults.Weight,
            Quality = ReadQuality(s),
            Cache = ReadCache(s),
            Ensemble = ReadEnsemble(s),
            FromConfig = true,
        };
    }

    internal static PriorityClass? ReadPriority(ConfigSection s)
    {
        if (s.String("priority") is not { } text)
        {
            return null;
        }

        if (PriorityClasses.TryParse(text, out var priority))
        {
            return priority;
        }

        s.Reader.Error(s.Node("priority")!, s.Field("priority"), $"unknown value '{text}'; use {PriorityClasses.Names}");
        return null;
    }

    /// <summary><c>quality: { metric: triage-v1, min: 0.8 }</c>; both keys required.</summary>
    private static QualityFloor? ReadQuality(ConfigSection s)
    {
        if (s.Section("quality", _qualityKeys) is not { } quality)
        {
            return null;
        }

        var metric = quality.String("metric");
        var min = quality.Number("min");
        if (metric is null && quality.Node("metric") is null)
        {
            quality.Missing("metric", "quality needs metric, the name an evaluation records its scores under, e.g. { metric: triage-v1, min: 0.8 }");
        }

        if (min is null && quality.Node("min") is null)
        {
            quality.Missing("min", "quality needs min, the lowest acceptable score in [0, 1], e.g. { metric: triage-v1, min: 0.8 }");
        }

        return metric is not null && min is { } m ? new QualityFloor(metric, m) : null;
    }

    /// <summary><c>cache: { ttl: 10m, max_entries: 10000, max_bytes: 64MiB }</c>; each key defaults as <see cref="ResultCacheSettings"/> says.</summary>
    private static ResultCacheSettings? ReadCache(ConfigSection s)
    {
        if (s.Section("cache", _cacheKeys) is not { } cache)
        {
            return null;
        }

        var defaults = new ResultCacheSettings();
        return new ResultCacheSettings
        {
            Ttl = cache.Duration("ttl") ?? defaults.Ttl,
            MaxEntries = cache.Int("max_entries") ?? defaults.MaxEntries,
            MaxBytes = cache.Size("max_bytes") ?? defaults.MaxBytes,
        };
    }

    /// <summary><c>ensemble: { members: [a, b], combine: vote, judge: m, min_members: 2 }</c>.</summary>
    private static EnsembleSettings? ReadEnsemble(ConfigSection s)
    {
        if (s.Section("ensemble", _ensembleKeys) is not { } ensemble)
        {
            return null;
        }

        var members = ensemble.Strings("members", "model or task names");
        if (ensemble.Node("members") is null)
        {
            ensemble.Missing("members", "an ensemble needs members: [model or task names]");
        }

        return new EnsembleSettings
        {
            Members = members ?? [],
            Combine = ensemble.Choice("combine", _combines) ?? EnsembleCombine.First,
            Judge = ensemble.String("judge"),
            MinMembers = ensemble.Int("min_members"),
        };
    }

    /// <summary><c>rate: 50/s</c>, or <c>rate: { rate: 50/s, burst: 100 }</c>; the burst defaults to one second's worth.</summary>
    private static RateLimit? ReadRate(ConfigSection s)
    {
        if (s.Node("rate") is not { } node)
        {
            return null;
        }

        double? perSecond;
        int? burst = null;
        if (node.Kind == ConfigNodeKind.Mapping)
        {
            var rate = s.Section("rate", _rateKeys)!;
            perSecond = rate.Node("rate") is { } r ? s.Reader.Rate(r, rate.Field("rate")) : null;
            burst = rate.Int("burst");
            if (perSecond is null && rate.Node("rate") is null)
            {
                s.Reader.Error(node, rate.Path, "a rate mapping needs rate, e.g. { rate: 50/s, burst: 100 }");
            }
        }
        else
        {
            perSecond = s.Reader.Rate(node, s.Field("rate"));
        }

        return perSecond is { } ps ? new RateLimit(ps, burst ?? (int)Math.Max(1, Math.Ceiling(Math.Min(ps, int.MaxValue)))) : null;
    }
}
