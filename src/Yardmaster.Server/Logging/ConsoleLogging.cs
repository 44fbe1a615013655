using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Yardmaster.Server.Logging;

/// <summary>The console logging of <c>yard serve</c> and <c>yard model-server</c>: one format, levels by verbosity.</summary>
public static class ConsoleLogging
{
    /// <summary>The serving scheduler's category: loads, unloads, failures, refusals, scale changes.</summary>
    public const string SchedulerCategory = "Yardmaster.Scheduler";

    /// <summary>Changes of the scheduler settings while serving (<c>scheduler.adapt</c>, <c>PUT /api/scheduler</c>): rare and worth seeing, so shown at Information by default.</summary>
    public const string AdaptCategory = "Yardmaster.Adapt";

    /// <summary>
    /// Replaces the builder's providers by the console (<see cref="BufferedConsoleLoggerProvider"/>) in <paramref name="format"/> with scopes included (UTC timestamps
    /// in JSON), and sets the levels: warnings and errors always; access lines unless <see cref="LogVerbosity.Quiet"/>;
    /// the schedulers' Information events with <see cref="LogVerbosity.Verbose"/>; never the framework's per-request lines.
    /// </summary>
    public static ILoggingBuilder Configure(ILoggingBuilder builder, LogFormat format, LogVerbosity verbosity)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ClearProviders();
        if (format == LogFormat.Json)
        {
            builder.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffZ";
                // Log lines are read by people and log shippers, never put in a web page: '>' and non-ASCII stay as they are.
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
            });
        }

        // The formatters and options stay the framework's; the lines are written by the buffered provider instead of its own.
        builder.Services.RemoveAll<ILoggerProvider>();
        builder.Services.AddSingleton<ILoggerProvider, BufferedConsoleLoggerProvider>();
        builder.SetMinimumLevel(verbosity == LogVerbosity.Verbose ? LogLevel.Information : LogLevel.Warning);
        // ASP.NET Core's and the host's Information lines are one per HTTP request (routing, endpoints) or start-up
        // boilerplate: not what -v is for.
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("System", LogLevel.Warning);
        // The hosting layer logs only at Information (request starting, request finished), but while its category is
        // enabled at any level it creates an Activity for every request (for its own log scope), which HttpClient then
        // continues as a child and sends upstream. Off: our own scope carries the request id.
        builder.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        if (verbosity == LogVerbosity.Verbose)
        {
            // The serving scheduler's refusals and scale changes may come at Debug (they can be many): -v shows them.
            builder.AddFilter(SchedulerCategory, LogLevel.Debug);
        }

        builder.AddFilter(Gateway.AccessLog.Category, verbosity == LogVerbosity.Quiet ? LogLevel.Warning : LogLevel.Information);
        builder.AddFilter(AdaptCategory, verbosity switch { LogVerbosity.Quiet => LogLevel.Warning, LogVerbosity.Verbose => LogLevel.Debug, _ => LogLevel.Information });
        return builder;
    }
}
