namespace Yardmaster.Server.Logging;

/// <summary>How much <c>yard serve</c> logs: <c>-q</c>, the default, <c>-v</c>.</summary>
public enum LogVerbosity
{
    /// <summary><c>-q</c>: warnings and errors only (no access lines).</summary>
    Quiet,

    /// <summary>Warnings, errors, one access line per <c>/v1</c> completion request, and each change of the scheduler settings while serving. The default.</summary>
    Normal,

    /// <summary><c>-v</c>: also the schedulers' events (loads, unloads, refusals, scale changes, step transitions); never ASP.NET Core's per-request lines.</summary>
    Verbose,
}
