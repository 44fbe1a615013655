using System.Globalization;
using System.Security;
using System.Text;

namespace Yardmaster.Core.Reporting;

/// <summary>Plots drawn as inline SVG, with no script and no external asset: lines over time or over a numeric axis, and horizontal bars.</summary>
public static class SvgChart
{
    private const int Width = 760;
    private const int Height = 260;
    private const int Left = 64;
    private const int Right = 150;
    private const int Top = 28;
    private const int Bottom = 36;
    private static readonly string[] _palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

    /// <summary>One line: a name and its points (time, value), oldest first.</summary>
    public sealed record Line(string Name, IReadOnlyList<(DateTimeOffset At, double Value)> Points, bool Dashed = false);

    /// <summary>Lines over [<paramref name="from"/>, <paramref name="to"/>]; "no data" when there is none.</summary>
    public static string Lines(string title, string unit, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<Line> lines, double? maxY = null)
    {
        var svg = Begin(title);
        var points = lines.SelectMany(l => l.Points).ToList();
        if (points.Count == 0)
        {
            return NoData(svg);
        }

        var top = maxY ?? NiceCeiling(points.Max(p => p.Value));
        var span = Math.Max(1, (to - from).TotalSeconds);
        double X(DateTimeOffset at) => Left + ((Width - Left - Right) * Math.Clamp((at - from).TotalSeconds / span, 0, 1));
        double Y(double v) => Top + ((Height - Top - Bottom) * (1 - Math.Clamp(v / top, 0, 1)));
        Axes(svg, top, unit, Y);
        for (var i = 0; i <= 5; i++)
        {
            var at = from + TimeSpan.FromSeconds(span * i / 5);
            var label = (to - from) > TimeSpan.FromDays(2) ? at.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) : at.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(at):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{label}</text>");
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var color = _palette[i % _palette.Length];
            var line = lines[i];
            var path = string.Join(' ', line.Points.Select((p, j) => string.Create(CultureInfo.InvariantCulture, $"{(j == 0 ? 'M' : 'L')}{X(p.At):0.#},{Y(p.Value):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(line.Dashed ? " stroke-dasharray=\"5,4\"" : "")}/>");
            foreach (var p in line.Points.Count <= 60 ? line.Points : [])
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.At):0.#}\" cy=\"{Y(p.Value):0.#}\" r=\"2.5\" fill=\"{color}\"><title>{Escape(line.Name)} {p.At.UtcDateTime:yyyy-MM-dd HH:mm}: {Format(p.Value)} {Escape(unit)}</title></circle>");
            }

            Legend(svg, i, line.Name, color, line.Dashed);
        }

        return End(svg);
    }

    /// <summary>One line of an x–y plot: a name and its points (x, y), by x ascending.</summary>
    public sealed record XyLine(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

    /// <summary>
    /// Lines over a numeric x axis from <paramref name="minX"/> to <paramref name="maxX"/> (points outside are left
    /// out), labelled <paramref name="xLabel"/>; y from 0 to <paramref name="maxY"/> or a round ceiling of the values shown.
    /// </summary>
    public static string XyLines(string title, string xLabel, string unit, double minX, double maxX, IReadOnlyList<XyLine> lines, double? maxY = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var svg = Begin(title);
        var shown = lines.Select(l => l with { Points = [.. l.Points.Where(p => p.X >= minX && p.X <= maxX && double.IsFinite(p.Y))] }).ToList();
        var points = shown.SelectMany(l => l.Points).ToList();
        if (points.Count == 0 || !(maxX > minX))
        {
            return NoData(svg);
        }

        var top = maxY ?? NiceCeiling(points.Max(p => p.Y));
        double X(double x) => Left + ((Width - Left - Right) * Math.Clamp((x - minX) / (maxX - minX), 0, 1));
        double Y(double v) => Top + ((Height - Top - Bottom) * (1 - Math.Clamp(v / top, 0, 1)));
        Axes(svg, top, unit, Y);
        for (var i = 0; i <= 5; i++)
        {
            var x = minX + ((maxX - minX) * i / 5);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(x):0.#}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\" class=\"tick\">{Format(x)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + ((Width - Left - Right) / 2)}\" y=\"{Height - 4}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        for (var i = 0; i < shown.Count; i++)
        {
            var color = _palette[i % _palette.Length];
            var line = shown[i];
            var path = string.Join(' ', line.Points.Select((p, j) => string.Create(CultureInfo.InvariantCulture, $"{(j == 0 ? 'M' : 'L')}{X(p.X):0.#},{Y(p.Y):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(line.Dashed ? " stroke-dasharray=\"5,4\"" : "")}><title>{Escape(line.Name)}</title></path>");
            Legend(svg, i, line.Name, color, line.Dashed);
        }

        return End(svg);
    }

    /// <summary>Horizontal bars, one per label, longest first as given.</summary>
    public static string Bars(string title, string unit, IReadOnlyList<(string Label, double Value)> bars)
    {
        var svg = Begin(title);
        if (bars.Count == 0)
        {
            return NoData(svg);
        }

        var shown = bars.Take(10).ToList();
        var top = NiceCeiling(shown.Max(b => b.Value));
        var rowHeight = (Height - Top - Bottom) / (double)shown.Count;
        for (var i = 0; i < shown.Count; i++)
        {
            var (label, value) = shown[i];
            var y = Top + (i * rowHeight);
            var width = (Width - 220 - 90) * Math.Clamp(value / top, 0, 1);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"214\" y=\"{y + (rowHeight / 2) + 4:0.#}\" text-anchor=\"end\" class=\"tick\">{Escape(Shorten(label, 34))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"220\" y=\"{y + 3:0.#}\" width=\"{Math.Max(1, width):0.#}\" height=\"{Math.Max(2, rowHeight - 6):0.#}\" fill=\"{_palette[i % _palette.Length]}\"><title>{Escape(label)}: {Format(value)} {Escape(unit)}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{226 + width:0.#}\" y=\"{y + (rowHeight / 2) + 4:0.#}\" class=\"tick\">{Format(value)} {Escape(unit)}</text>");
        }

        return End(svg);
    }

    /// <summary>Text made safe inside SVG or HTML.</summary>
    public static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    /// <summary>A value as a label: whole above 100, one decimal above 1, else three.</summary>
    public static string Format(double value) => value switch
    {
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static StringBuilder Begin(string title)
    {
        var svg = new StringBuilder(4096);
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Escape(title)}\">");
        svg.Append("<style>text{font:11px sans-serif;fill:#374151}.title{font:bold 13px sans-serif}.grid{stroke:#e5e7eb}</style>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"16\" class=\"title\">{Escape(title)}</text>");
        return svg;
    }

    private static string NoData(StringBuilder svg)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no data in this window</text>");
        return End(svg);
    }

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void Axes(StringBuilder svg, double top, string unit, Func<double, double> y)
    {
        for (var i = 0; i <= 4; i++)
        {
            var v = top * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y(v):0.#}\" y2=\"{y(v):0.#}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y(v) + 4:0.#}\" text-anchor=\"end\" class=\"tick\">{Format(v)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Top + ((Height - Top - Bottom) / 2)}\" transform=\"rotate(-90 12 {Top + ((Height - Top - Bottom) / 2)})\" text-anchor=\"middle\">{Escape(unit)}</text>");
    }

    private static void Legend(StringBuilder svg, int index, string name, string color, bool dashed)
    {
        var y = Top + 6 + (index * 16);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Width - Right + 10}\" x2=\"{Width - Right + 30}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5,4\"" : "")}/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 34}\" y=\"{y + 4}\">{Escape(Shorten(name, 18))}</text>");
    }

    private static double NiceCeiling(double max)
    {
        if (max <= 0 || !double.IsFinite(max))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1, 2, 4, 8, 10 }) // quarters of these are round
        {
            if (step * magnitude >= max)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
