using Yardmaster.Core.Configuration;
using Yardmaster.Simulation.Tuning;

namespace Yardmaster.Server.Adapt;

/// <summary>One change to the scheduler settings while serving, as <c>/api/adaptations</c> shows it.</summary>
/// <param name="Id">Its number, from 1.</param>
/// <param name="At">When it was put in force.</param>
/// <param name="Source"><c>adapt</c> (the server's own re-tuning) or <c>api</c> (<c>PUT /api/scheduler</c>, e.g. <c>yard tune --apply</c>).</param>
/// <param name="Status"><c>applied</c> (in force; an adapt change is being measured), <c>kept</c> (measured no worse), <c>reverted</c> (measured worse), or <c>superseded</c> (another change came before it was judged).</param>
/// <param name="From">The settings before.</param>
/// <param name="To">The settings it put in force.</param>
/// <param name="Search">The search that proposed it (adapt only): the predicted outcome of both.</param>
/// <param name="Before">What the window before it measured (adapt only).</param>
/// <param name="After">What the window after it measured, once judged.</param>
/// <param name="Note">Why it ended as it did.</param>
internal sealed record Adaptation(
    int Id,
    DateTimeOffset At,
    string Source,
    string Status,
    SchedulerSettings From,
    SchedulerSettings To,
    TuneResult? Search,
    AdaptMeasurement? Before,
    AdaptMeasurement? After,
    string? Note);
