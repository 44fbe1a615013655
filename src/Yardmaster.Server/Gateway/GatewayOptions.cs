using Yardmaster.Core.Configuration;
using Yardmaster.Server.Backends;

namespace Yardmaster.Server.Gateway;

/// <summary>What <c>yard serve</c> runs with: the validated config, where its data goes, and backend settings.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration (from yard.yaml or the embedded default), validated.</summary>
    public required YardConfig Config { get; init; }

    /// <summary>The data folder: the store when <c>store.path</c> is not set, and the process backends' logs.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Backend settings (log folder, how <c>yard</c> in a command runs).</summary>
    public BackendOptions Backends { get; init; } = new();

    /// <summary>
    /// <c>--insecure-no-auth</c>: serve <c>/v1</c> without keys even on an address other machines can reach.
    /// Never opens <c>/api</c>. Default false.
    /// </summary>
    public bool InsecureNoAuth { get; init; }

    /// <summary>
    /// How much is logged on the console. Default <see cref="Logging.LogVerbosity.Quiet"/> (warnings and errors), so an
    /// embedded gateway (tests, benchmarks) prints no line per request; <c>yard serve</c> sets
    /// <see cref="Logging.LogVerbosity.Normal"/> (access lines), or what <c>-q</c> and <c>-v</c> ask.
    /// </summary>
    public Logging.LogVerbosity Verbosity { get; init; } = Logging.LogVerbosity.Quiet;

    /// <summary>The console's log format (<c>--log-format</c>). Default <see cref="Logging.LogFormat.Text"/>.</summary>
    public Logging.LogFormat LogFormat { get; init; } = Logging.LogFormat.Text;
}
