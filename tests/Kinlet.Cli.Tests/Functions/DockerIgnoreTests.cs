using Kinlet.Cli.Functions;

namespace Kinlet.Cli.Tests.Functions;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("secret.txt", "secret.txt", true)]
    [InlineData("secret.txt", "sub/secret.txt", false)]
    [InlineData("/secret.txt", "secret.txt", true)]
    [InlineData("./secret.txt", "secret.txt", true)]
    [InlineData("*.log", "app.log", true)]
    [InlineData("*.log", "logs/app.log", false)]
    [InlineData("**/*.log", "logs/deep/app.log", true)]
    [InlineData("**/*.log", "app.log", true)]
    [InlineData("logs/**", "logs/a/b.txt", true)]
    [InlineData("logs", "logs/a/b.txt", true)] // a matched directory takes everything under it
    [InlineData("bin", "binary.txt", false)]
    [InlineData("te?t", "test", true)]
    [InlineData("te?t", "te/t", false)]
    [InlineData("[a-c].txt", "b.txt", true)]
    [InlineData("[!a-c].txt", "b.txt", false)]
    [InlineData("[!a-c].txt", "d.txt", true)]
    [InlineData(@"\*.txt", "*.txt", true)]
    [InlineData(@"\*.txt", "a.txt", false)]
    [InlineData("a/**/z", "a/z", true)]
    [InlineData("a/**/z", "a/b/c/z", true)]
    [InlineData("# comment", "# comment", false)]
    public void Pattern_matches_as_the_docker_cli_does(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, new DockerIgnore([pattern]).IsExcluded(path));

    [Fact]
    public void The_last_matching_pattern_decides()
    {
        var ignore = DockerIgnore.Parse("*.md\n!README.md\n\n# docs stay out\ndocs/\n");
        Assert.True(ignore.IsExcluded("NOTES.md"));
        Assert.False(ignore.IsExcluded("README.md"));
        Assert.True(ignore.IsExcluded("docs/README.md"));
        Assert.False(ignore.IsExcluded("src/app.js"));
        Assert.True(ignore.HasExceptions);
    }

    [Fact]
    public void An_exception_after_a_directory_brings_one_file_back()
    {
        var ignore = new DockerIgnore(["vendor", "!vendor/keep.js"]);
        Assert.True(ignore.IsExcluded("vendor/drop.js"));
        Assert.False(ignore.IsExcluded("vendor/keep.js"));
    }

    [Fact]
    public void Empty_lines_comments_and_a_bare_bang_are_ignored()
    {
        var ignore = DockerIgnore.Parse("  \n# x\n!\n");
        Assert.False(ignore.IsExcluded("anything"));
        Assert.False(ignore.HasExceptions);
    }
}
