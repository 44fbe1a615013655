using Yardmaster.Core.Configuration;

namespace Yardmaster.Simulation.Tuning;

/// <summary>What one search of <c>scheduler.adapt</c> found.</summary>
/// <param name="Search">The search: the settings in force and the best found, each with its predicted outcome.</param>
/// <param name="Change">The settings to put in force; null when no change is predicted better by the margin on every seed.</param>
internal sealed record AdaptProposal(TuneResult Search, SchedulerSettings? Change);
