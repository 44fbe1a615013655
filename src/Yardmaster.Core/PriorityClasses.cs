namespace Yardmaster.Core;

/// <summary>Parsing and naming of <see cref="PriorityClass"/> values as they appear in YAML, JSON and headers.</summary>
public static class PriorityClasses
{
    /// <summary>The classes from most to least urgent.</summary>
    public static IReadOnlyList<PriorityClass> All { get; } = [PriorityClass.Critical, PriorityClass.High, PriorityClass.Normal, PriorityClass.Low, PriorityClass.Batch];

    /// <summary>The lower-case names accepted by <see cref="TryParse"/>, for error messages.</summary>
    public static string Names { get; } = "critical | high | normal | low | batch";

    /// <summary>Parses a lower-case name (case-insensitive); false for anything else, numbers included.</summary>
    public static bool TryParse(string? text, out PriorityClass priority)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "CRITICAL": priority = PriorityClass.Critical; return true;
            case "HIGH": priority = PriorityClass.High; return true;
            case "NORMAL": priority = PriorityClass.Normal; return true;
            case "LOW": priority = PriorityClass.Low; return true;
            case "BATCH": priority = PriorityClass.Batch; return true;
            default: priority = PriorityClass.Normal; return false;
        }
    }

    /// <summary>The lower-case name, as <see cref="TryParse"/> accepts it.</summary>
    public static string Name(this PriorityClass priority) => priority switch
    {
        PriorityClass.Critical => "critical",
        PriorityClass.High => "high",
        PriorityClass.Normal => "normal",
        PriorityClass.Low => "low",
        PriorityClass.Batch => "batch",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, null),
    };
}
