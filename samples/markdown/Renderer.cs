using System.Net;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Markdown;

/// <summary>One rendered document: the HTML fragment, its title (the first heading) and how many headings it has.</summary>
public sealed record Rendered(string Html, string? Title, int Headings);

/// <summary>
/// Markdown to HTML with Markdig's extensions (tables, task lists, auto links, ...). Input is untrusted: raw HTML
/// is escaped rather than passed through, and links or images with a script scheme lose their target.
/// </summary>
public sealed class Renderer
{
    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .DisableHtml()
        .Build();

    public Rendered Render(string markdown)
    {
        var document = Markdig.Markdown.Parse(markdown, _pipeline);
        foreach (var link in document.Descendants<LinkInline>())
            if (!IsSafe(link.Url)) link.Url = "#";

        var headings = document.Descendants<HeadingBlock>().ToList();
        var title = headings.FirstOrDefault()?.Inline?.FirstChild?.ToString();
        using var writer = new StringWriter();
        var html = new Markdig.Renderers.HtmlRenderer(writer);
        _pipeline.Setup(html);
        html.Render(document);
        writer.Flush();
        return new Rendered(writer.ToString(), title, headings.Count);
    }

    public static string Page(Rendered rendered) => $"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(rendered.Title ?? "Document")}</title></head>
        <body>
        {rendered.Html}</body></html>

        """;

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url)) return true;
        // Relative links and anchors are fine; absolute ones only with a scheme that cannot run script.
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)) return !url.TrimStart().Contains(':');
        return SafeSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);
    }
}
