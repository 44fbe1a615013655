using Yardmaster.Core.Statistics;

namespace Yardmaster.Core.History;

/// <summary>One step of a time series: its start and the statistics of its requests.</summary>
public sealed record SeriesPoint(DateTimeOffset Start, RequestStatistics Statistics);
