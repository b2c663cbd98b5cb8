using Kinlet.Cli.Output;

namespace Kinlet.Cli.Tests.Output;

public class TableRendererTests
{
    [Fact]
    public void Columns_line_up_under_their_headers_without_borders_or_trailing_blanks()
    {
        var table = new TableView("NAME", "URL", "READY")
            .Add("echo", "http://echo.localhost:8080", "True")
            .Add("a-longer-name", "http://x.localhost:8080", "False");

        var text = TableRenderer.Render(table, width: null);

        Assert.Equal(
            "NAME            URL                          READY\n" +
            "echo            http://echo.localhost:8080   True\n" +
            "a-longer-name   http://x.localhost:8080      False\n", text);
    }

    [Fact]
    public void Piped_output_never_wraps_a_long_cell()
    {
        var url = "http://" + new string('a', 300) + ".localhost:8080";
        var text = TableRenderer.Render(new TableView("NAME", "URL").Add("x", url), width: null);
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(url, text);
    }

    [Fact]
    public void Empty_cells_and_markup_characters_are_printed_as_text()
    {
        var text = TableRenderer.Render(new TableView("A", "B", "C").Add("[red]x[/]", null, "z"), width: null);
        Assert.Contains("[red]x[/]", text);
        Assert.EndsWith("z\n", text);
    }

    [Fact]
    public void Indent_prefixes_every_line()
    {
        var text = TableRenderer.Render(new TableView("A").Add("1"), width: null, indent: "  ");
        Assert.Equal("  A\n  1\n", text);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => new TableView("A", "B").Add("1"));
    }
}

public class AgeTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600, "1h")]
    [InlineData(86399, "23h")]
    [InlineData(86400 * 3, "3d")]
    [InlineData(-30, "0s")]
    public void Ages_read_like_kubectl(int secondsAgo, string expected)
    {
        Assert.Equal(expected, Age.Format(Now.AddSeconds(-secondsAgo), Now));
    }

    [Fact]
    public void No_timestamp_is_an_empty_cell() => Assert.Equal("", Age.Format(null, Now));
}
