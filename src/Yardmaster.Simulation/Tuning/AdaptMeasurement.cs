namespace Yardmaster.Simulation.Tuning;

/// <summary>What a window of the request log measured.</summary>
/// <param name="Since">The window's start.</param>
/// <param name="Until">Its end.</param>
/// <param name="Requests">Logged requests that arrived in it.</param>
/// <param name="Score">The objective (<see cref="TuneScore"/>), comparable with a prediction.</param>
/// <param name="Attainment">SLO attainment per task with an SLO, 0 to 1.</param>
internal sealed record AdaptMeasurement(DateTimeOffset Since, DateTimeOffset Until, int Requests, double Score, IReadOnlyDictionary<string, double> Attainment);
