using OrleansReplica.Hosting.Configuration;

namespace OrleansReplica.Tests.Configuration;

public class ConfigArgsTests
{
    [Theory]
    [InlineData("port 6379", new[] { "port", "6379" })]
    [InlineData("  port \t 6379  ", new[] { "port", "6379" })]
    [InlineData("masteruser \"a\\x41\\n\\tb\\\"c\\\\d\\qe\"", new[] { "masteruser", "aA\n\tb\"c\\dqe" })]
    [InlineData("masteruser 'it\\'s \\n'", new[] { "masteruser", "it's \\n" })]
    [InlineData("masteruser a\"b c\"", new[] { "masteruser", "ab c" })]
    [InlineData("masteruser \"\\xZZ\"", new[] { "masteruser", "xZZ" })]
    [InlineData("save \"\"", new[] { "save", "" })]
    [InlineData("", new string[0])]
    public void Splits_like_redis(string line, string[] expected)
    {
        Assert.Equal(expected, ConfigArgs.Split(line));
    }

    [Theory]
    [InlineData("masteruser a\"b c\"d")]
    [InlineData("masteruser \"abc\"def")]
    [InlineData("masteruser 'abc'def")]
    [InlineData("masteruser \"a")]
    [InlineData("masteruser 'a")]
    [InlineData("masteruser \"a\\")]
    public void Unbalanced_quotes_give_null(string line)
    {
        Assert.Null(ConfigArgs.Split(line));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with space")]
    [InlineData("quote\" and \\ backslash")]
    [InlineData("control\u0001\r\n\t\a\b")]
    [InlineData("")]
    [InlineData("héllo")]
    public void Quote_round_trips(string value)
    {
        Assert.Equal(["x", value], ConfigArgs.Split("x " + ConfigArgs.Quote(value)));
    }

    [Fact]
    public void Quote_escapes_as_redis()
    {
        Assert.Equal("\"pa ss\\x01\\\"\\n\"", ConfigArgs.Quote("pa ss\u0001\"\n"));
    }

    [Theory]
    [InlineData("1k", 1000UL)]
    [InlineData("1kb", 1024UL)]
    [InlineData("1M", 1000000UL)]
    [InlineData("1mB", 1048576UL)]
    [InlineData("3g", 3000000000UL)]
    [InlineData("3GB", 3221225472UL)]
    [InlineData("b", 0UL)]
    public void Memory_units(string text, ulong bytes)
    {
        Assert.True(ConfigNumbers.TryParseMemory(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData(104857600L, "100mb")]
    [InlineData(1073741824L, "1gb")]
    [InlineData(3072L, "3kb")]
    [InlineData(1025L, "1025")]
    [InlineData(0L, "0")]
    public void Memory_is_rewritten_with_the_largest_unit(long bytes, string text)
    {
        Assert.Equal(text, ConfigNumbers.FormatMemory(bytes));
    }
}
