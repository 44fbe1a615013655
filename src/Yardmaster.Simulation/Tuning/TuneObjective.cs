namespace Yardmaster.Simulation.Tuning;

/// <summary>What <c>yard tune</c> maximizes.</summary>
public enum TuneObjective
{
    /// <summary>Requests per second completed within their task's SLO, over every task.</summary>
    Goodput,

    /// <summary>SLO attainment weighted by class: critical 16, high 8, normal 4, low 2, batch 1 (the more urgent class counts more).</summary>
    Slo,
}
