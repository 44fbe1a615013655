namespace Yardmaster.Server.Reports;

/// <summary>A report, independent of its file format: sections of text, tables and SVG plots.</summary>
internal sealed record ReportDocument(string Title, string Subtitle, IReadOnlyList<ReportSection> Sections);

/// <summary>One section of a report.</summary>
internal sealed record ReportSection(string Title, IReadOnlyList<string> Paragraphs, IReadOnlyList<ReportTable> Tables, IReadOnlyList<(string Title, string Svg)> Charts);

/// <summary>A table: its header and rows of cells, as text.</summary>
internal sealed record ReportTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, string Empty);
