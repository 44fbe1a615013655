using System.Net;
using System.Text;

namespace Yardmaster.Server.Reports;

/// <summary>Writes a <see cref="ReportDocument"/> as one self-contained HTML or Markdown file (no external asset: CSS inline, plots as SVG).</summary>
internal static class ReportWriter
{
    public static string Write(ReportDocument report, ReportFormat format) => format == ReportFormat.Html ? Html(report) : Markdown(report);

    private static string Html(ReportDocument report)
    {
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>").Append(E(report.Title)).Append("</title><style>");
        html.Append("body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#111827}");
        html.Append("table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:13px}th,td{border:1px solid #d1d5db;padding:.25rem .5rem;text-align:right}");
        html.Append("th{background:#f3f4f6}td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto;display:block;margin:.5rem 0}");
        html.Append(".sub{color:#4b5563}.empty{color:#6b7280;font-style:italic}</style></head><body>\n");
        html.Append("<h1>").Append(E(report.Title)).Append("</h1><p class=\"sub\">").Append(E(report.Subtitle)).Append("</p>\n");
        foreach (var section in report.Sections)
        {
            html.Append("<h2>").Append(E(section.Title)).Append("</h2>\n");
            foreach (var p in section.Paragraphs)
            {
                html.Append("<p>").Append(E(p)).Append("</p>\n");
            }

            foreach (var table in section.Tables)
            {
                if (table.Rows.Count == 0)
                {
                    html.Append("<p class=\"empty\">").Append(E(table.Empty)).Append("</p>\n");
                    continue;
                }

                html.Append("<table><thead><tr>");
                foreach (var h in table.Header)
                {
                    html.Append("<th>").Append(E(h)).Append("</th>");
                }

                html.Append("</tr></thead><tbody>");
                foreach (var row in table.Rows)
                {
                    html.Append("<tr>");
                    foreach (var cell in row)
                    {
                        html.Append("<td>").Append(E(cell)).Append("</td>");
                    }

                    html.Append("</tr>");
                }

                html.Append("</tbody></table>\n");
            }

            foreach (var (_, svg) in section.Charts)
            {
                html.Append(svg).Append('\n');
            }
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static string Markdown(ReportDocument report)
    {
        var md = new StringBuilder(64 * 1024);
        md.Append("# ").Append(report.Title).Append("\n\n").Append(report.Subtitle).Append("\n\n");
        foreach (var section in report.Sections)
        {
            md.Append("## ").Append(section.Title).Append("\n\n");
            foreach (var p in section.Paragraphs)
            {
                md.Append(p).Append("\n\n");
            }

            foreach (var table in section.Tables)
            {
                if (table.Rows.Count == 0)
                {
                    md.Append('_').Append(table.Empty).Append("_\n\n");
                    continue;
                }

                md.Append("| ").Append(string.Join(" | ", table.Header.Select(Cell))).Append(" |\n");
                md.Append('|').Append(string.Join('|', table.Header.Select((_, i) => i == 0 ? "---" : "--:"))).Append("|\n");
                foreach (var row in table.Rows)
                {
                    md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
                }

                md.Append('\n');
            }

            foreach (var (title, svg) in section.Charts)
            {
                md.Append("![").Append(Cell(title)).Append("](data:image/svg+xml;base64,").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(svg))).Append(")\n\n");
            }
        }

        return md.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
