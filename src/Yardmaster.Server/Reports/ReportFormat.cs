namespace Yardmaster.Server.Reports;

/// <summary>The file format of a report; both are self-contained (plots inline as SVG).</summary>
public enum ReportFormat
{
    /// <summary>One HTML file with inline CSS and SVG.</summary>
    Html,

    /// <summary>Markdown, plots as SVG data URIs.</summary>
    Markdown,
}
