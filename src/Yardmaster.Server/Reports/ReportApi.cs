using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Yardmaster.Core.History;
using Yardmaster.Core.Runs;
using Yardmaster.Runtime.History;
using Yardmaster.Server.Gateway;

namespace Yardmaster.Server.Reports;

/// <summary><c>GET /api/report?since=7d[&amp;until=][&amp;format=html|md]</c>: the report of <c>yard report</c>, rendered by the server from its live history.</summary>
internal sealed class ReportApi(HistoryRecorder? recorder, IHistoryStore? history, IRunStore runs, TimeProvider time)
{
    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/api/report", WriteAsync);

    private async Task WriteAsync(HttpContext http)
    {
        if (recorder is null || history is null)
        {
            await Problem.WriteAsync(http.Response, 409, "the history is off (history.enabled: false in the config), so there is nothing to report").ConfigureAwait(false);
            return;
        }

        var query = http.Request.Query;
        var formatText = query.TryGetValue("format", out var f) ? f.ToString() : "html";
        if (formatText is not ("html" or "md"))
        {
            await Problem.WriteAsync(http.Response, 400, $"'format' must be html or md, got '{formatText}'").ConfigureAwait(false);
            return;
        }

        if (TimeWindow.Parse(query.TryGetValue("since", out var s) ? s.ToString() : "7d", query.TryGetValue("until", out var u) ? u.ToString() : null, time.GetUtcNow(), out var error) is not { } window)
        {
            await Problem.WriteAsync(http.Response, 400, error!).ConfigureAwait(false);
            return;
        }

        var format = formatText == "html" ? ReportFormat.Html : ReportFormat.Markdown;
        var text = await Report.RenderAsync(window, history, runs, format, ct => recorder.ReadAsync(window.Since, window.Until, ct), http.RequestAborted).ConfigureAwait(false);
        http.Response.ContentType = format == ReportFormat.Html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
        await http.Response.WriteAsync(text, http.RequestAborted).ConfigureAwait(false);
    }
}
