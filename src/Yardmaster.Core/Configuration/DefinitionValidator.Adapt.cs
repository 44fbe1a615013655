using System.Globalization;
using Yardmaster.Core.Queueing;
using Yardmaster.Core.Units;

namespace Yardmaster.Core.Configuration;

/// <content>The rules of <c>scheduler.adapt</c>.</content>
public static partial class DefinitionValidator
{
    /// <summary>Objectives accepted in <c>scheduler.adapt.objective</c> (and <c>yard tune --objective</c>).</summary>
    public static IReadOnlyList<string> AdaptObjectives { get; } = ["slo", "goodput"];

    /// <summary>The aging bounds <c>scheduler.adapt.bounds.max_wait</c> may name: those <c>yard tune</c> searches.</summary>
    public static IReadOnlyList<string> AdaptWaitKeys { get; } = ["default", "low", "batch"];

    private static void CheckAdapt(AdaptSettings adapt, List<ConfigError> errors)
    {
        const string at = "scheduler.adapt";
        if (adapt.Every < TimeSpan.FromSeconds(1))
        {
            errors.Add(new(at + ".every", $"must be at least 1s (was {Durations.Format(adapt.Every)})"));
        }

        if (adapt.Window < TimeSpan.FromSeconds(1))
        {
            errors.Add(new(at + ".window", $"must be at least 1s (was {Durations.Format(adapt.Window)})"));
        }

        if (!AdaptObjectives.Contains(adapt.Objective, StringComparer.Ordinal))
        {
            errors.Add(new(at + ".objective", $"unknown objective '{adapt.Objective}'; use {string.Join(" | ", AdaptObjectives)}"));
        }

        if (!double.IsFinite(adapt.Margin) || adapt.Margin < 0)
        {
            errors.Add(new(at + ".margin", string.Create(CultureInfo.InvariantCulture, $"must be 0 or more (was {adapt.Margin})")));
        }

        if (adapt.Seeds is < 1 or > 20)
        {
            errors.Add(new(at + ".seeds", $"must be 1 to 20 (was {adapt.Seeds})"));
        }

        if (adapt.Budget <= TimeSpan.Zero)
        {
            errors.Add(new(at + ".budget", "must be positive, e.g. 30s"));
        }

        if (adapt.MinRequests < 1)
        {
            errors.Add(new(at + ".min_requests", $"must be at least 1 (was {adapt.MinRequests})"));
        }

        if (adapt.Bounds is { } bounds)
        {
            CheckAdaptBounds(bounds, errors);
        }
    }

    private static void CheckAdaptBounds(AdaptBounds bounds, List<ConfigError> errors)
    {
        const string at = "scheduler.adapt.bounds";
        if (bounds.Queues is { } queues)
        {
            if (queues.Count == 0)
            {
                errors.Add(new(at + ".queue", $"must name at least one policy: {string.Join(" | ", QueuePolicies.Names)}"));
            }

            foreach (var q in queues)
            {
                CheckPolicy(q, QueuePolicies.Names, at + ".queue", errors);
            }
        }

        if (bounds.Evictions is { } evictions)
        {
            if (evictions.Count == 0)
            {
                errors.Add(new(at + ".eviction", $"must name at least one policy: {string.Join(" | ", EvictionPolicyNames)}"));
            }

            foreach (var e in evictions)
            {
                CheckPolicy(e, EvictionPolicyNames, at + ".eviction", errors);
            }
        }

        if (bounds.MaxQueue is { } range && (range.Min < 1 || range.Max < range.Min))
        {
            errors.Add(new(at + ".max_queue", $"needs 1 <= min <= max (was min {range.Min}, max {range.Max})"));
        }

        foreach (var (key, (min, max)) in bounds.MaxWait)
        {
            if (!AdaptWaitKeys.Contains(key, StringComparer.Ordinal))
            {
                errors.Add(new($"{at}.max_wait.{key}", $"adapt moves only the aging bounds {string.Join(", ", AdaptWaitKeys)}"));
            }
            else if (min < TimeSpan.Zero || max < min)
            {
                errors.Add(new($"{at}.max_wait.{key}", $"needs 0 <= min <= max (was min {Durations.Format(min)}, max {Durations.Format(max)})"));
            }
        }
    }
}
