using System.Text;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// Redis glob matching. Expected matches were observed on redis-server 7.0.15 with KEYS over
/// <see cref="Keys"/> (and CONFIG GET for case-insensitive matching); bytes above 0x7F are Latin-1 chars here.
/// </summary>
public sealed class GlobPatternTests
{
    private static readonly string[] Keys =
    [
        "", "a", "b", "A", "abc", "aXc", "ac", "hello",
        "hallo", "hillo", "hxllo", "heeeello", "h\\llo", "[abc]", "*", "?",
        "\\", "\u00e9", "\u00ff", "-", "]", "^", "a-b", "foo:bar",
        "FOO", "x*y", "a?", "!",
    ];

    [Theory]
    [InlineData("h?llo", "hello", "hallo", "hillo", "hxllo", "h\\llo")]
    [InlineData("h*llo", "hello", "hallo", "hillo", "hxllo", "heeeello", "h\\llo")]
    [InlineData("h[ae]llo", "hello", "hallo")]
    [InlineData("h[^e]llo", "hallo", "hillo", "hxllo", "h\\llo")]
    [InlineData("h[a-b]llo", "hallo")]
    [InlineData("h[b-a]llo", "hallo")]
    [InlineData("[c-a]*", "a", "b", "abc", "aXc", "ac", "a-b", "a?")]
    [InlineData("[]abc]")]
    [InlineData("[^]a]")]
    [InlineData("\\*", "*")]
    [InlineData("\\?", "?")]
    [InlineData("*\\", "\\")]
    [InlineData("\\", "\\")]
    [InlineData("h\\\\llo", "h\\llo")]
    [InlineData("a\\bc", "abc")]
    [InlineData("[\\]]", "]")]
    [InlineData("[\\a-c]", "a", "-")]
    [InlineData("[a-]", "a", "]", "^")]
    [InlineData("[a-]*", "a", "*", "]", "^")]
    [InlineData("[abc", "a", "b")]
    [InlineData("[")]
    [InlineData("[^", "a", "b", "A", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "!")]
    [InlineData("*[")]
    [InlineData("?*", "a", "b", "A", "abc", "aXc", "ac", "hello", "hallo", "hillo", "hxllo", "heeeello", "h\\llo", "[abc]", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "a-b", "foo:bar", "FOO", "x*y", "a?", "!")]
    [InlineData("**", "a", "b", "A", "abc", "aXc", "ac", "hello", "hallo", "hillo", "hxllo", "heeeello", "h\\llo", "[abc]", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "a-b", "foo:bar", "FOO", "x*y", "a?", "!")]
    [InlineData("*?", "a", "b", "A", "abc", "aXc", "ac", "hello", "hallo", "hillo", "hxllo", "heeeello", "h\\llo", "[abc]", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "a-b", "foo:bar", "FOO", "x*y", "a?", "!")]
    [InlineData("a*c", "abc", "aXc", "ac")]
    [InlineData("a*b*c", "abc")]
    [InlineData("*a*", "a", "abc", "aXc", "ac", "hallo", "[abc]", "a-b", "foo:bar", "a?")]
    [InlineData("[a-\u00ff]", "a", "A", "*", "?", "\\", "\u00ff", "-", "]", "^", "!")]
    [InlineData("[\u00e9-\u00ff]", "\u00e9", "\u00ff")]
    [InlineData("[\u0080-a]", "a", "A", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "!")]
    [InlineData("[A-z]", "a", "b", "A", "\\", "]", "^")]
    [InlineData("[!a]", "a", "!")]
    [InlineData("*-*", "-", "a-b")]
    [InlineData("foo:*", "foo:bar")]
    [InlineData("FOO*", "FOO")]
    [InlineData("foo*", "foo:bar")]
    [InlineData("[^a-z]*", "A", "[abc]", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "FOO", "!")]
    [InlineData("[*]", "*")]
    [InlineData("[?]", "?")]
    [InlineData("x\\*y", "x*y")]
    [InlineData("x[*]y", "x*y")]
    [InlineData("?", "a", "b", "A", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "!")]
    [InlineData("??", "ac", "a?")]
    [InlineData("a[")]
    [InlineData("[ab", "a", "b")]
    [InlineData("[^ab", "A", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "!")]
    [InlineData("*[^a-z]", "A", "[abc]", "*", "?", "\\", "\u00e9", "\u00ff", "-", "]", "^", "FOO", "a?", "!")]
    [InlineData("[[]abc]", "[abc]")]
    [InlineData("\\[abc\\]", "[abc]")]
    [InlineData("a\\")]
    public void Matches_the_keys_redis_keys_returns(string pattern, params string[] expected)
    {
        var matched = Keys.Where(key => Match(pattern, key)).ToArray();
        Assert.Equal(expected, matched);
    }

    [Theory]
    [InlineData("MAXMEMORY*", "maxmemory", true)]
    [InlineData("MAXMEMORY*", "maxmemory-policy", true)]
    [InlineData("[M-N]axmemory", "maxmemory", true)]
    [InlineData("[M-N]axmemory", "maxmemory-policy", false)]
    [InlineData("[\\M]axmemory", "maxmemory", false)]
    [InlineData("[\\M]axmemory", "maxmemory-policy", false)]
    [InlineData("[\\m]axmemory", "maxmemory", true)]
    [InlineData("[\\m]axmemory", "maxmemory-policy", false)]
    [InlineData("[^M]axmemory", "maxmemory", false)]
    [InlineData("[^M]axmemory", "maxmemory-policy", false)]
    [InlineData("[^x]axmemory", "maxmemory", true)]
    [InlineData("[^x]axmemory", "maxmemory-policy", false)]
    [InlineData("MaxMemory-P?LICY", "maxmemory", false)]
    [InlineData("MaxMemory-P?LICY", "maxmemory-policy", true)]
    [InlineData("[L-N]AXMEMORY", "maxmemory", true)]
    [InlineData("[L-N]AXMEMORY", "maxmemory-policy", false)]
    [InlineData("[l-n]AXMEMORY", "maxmemory", true)]
    [InlineData("[l-n]AXMEMORY", "maxmemory-policy", false)]
    [InlineData("max[A-Z]emory", "maxmemory", true)]
    [InlineData("max[A-Z]emory", "maxmemory-policy", false)]
    public void Folds_ascii_case_like_config_get(string pattern, string name, bool expected)
    {
        Assert.Equal(expected, GlobPattern.IsMatch(Encoding.ASCII.GetBytes(pattern), Encoding.ASCII.GetBytes(name), ignoreCase: true));
    }

    [Theory]
    [InlineData("*", "", false)]
    [InlineData("**", "", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("*", "anything", true)]
    [InlineData("a*", "a", true)]
    [InlineData("a**", "a", true)]
    [InlineData("a*?", "a", false)]
    [InlineData("\\", "\\", true)]
    [InlineData("\\\\", "\\", true)]
    [InlineData("\\\\", "\\\\", false)]
    public void Keeps_redis_corner_cases(string pattern, string text, bool expected)
    {
        // A lone '*' does not match the empty text: KEYS and SCAN special-case "*" before matching.
        Assert.Equal(expected, Match(pattern, text));
    }

    [Fact]
    public void Compares_bytes_without_folding_unless_asked()
    {
        Assert.False(GlobPattern.IsMatch("FOO*"u8, "foo:bar"u8));
        Assert.True(GlobPattern.IsMatch("FOO*"u8, "foo:bar"u8, ignoreCase: true));
        Assert.True(GlobPattern.IsMatch("h[A-Z]llo"u8, "hello"u8, ignoreCase: true));
        Assert.False(GlobPattern.IsMatch("h[\\E]llo"u8, "hello"u8, ignoreCase: true));
        Assert.True(GlobPattern.IsMatch("a?c"u8, [(byte)'a', 0, (byte)'c']));
    }

    [Fact]
    public void Gives_up_beyond_1000_nested_stars_like_redis()
    {
        // Observed on redis-server 7.0.15: "*a" x 1000 matches "a" x 1000, "*a" x 1001 does not match "a" x 1001.
        Assert.True(Match(string.Concat(Enumerable.Repeat("*a", 1000)), new string('a', 1000)));
        Assert.False(Match(string.Concat(Enumerable.Repeat("*a", 1001)), new string('a', 1001)));
        Assert.True(Match(string.Concat(Enumerable.Repeat("a*", 1001)), new string('a', 1001)));
    }

    [Fact]
    public void Fails_pathological_patterns_quickly()
    {
        // Without giving up on earlier stars this would take exponential time.
        var pattern = string.Concat(Enumerable.Repeat("a*", 40)) + "b";
        var text = new string('a', 10_000);
        Assert.False(Match(pattern, text));
        Assert.False(Match(string.Concat(Enumerable.Repeat("*a", 500)) + "*b", text));
    }

    [Fact]
    public void Matches_without_allocating()
    {
        var pattern = "user:*:[a-z]?[^0-9]"u8.ToArray();
        var key = "user:1000:ab!"u8.ToArray();
        GlobPattern.IsMatch(pattern, key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            GlobPattern.IsMatch(pattern, key);
            GlobPattern.IsMatch(pattern, key, ignoreCase: true);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static bool Match(string pattern, string text) =>
        GlobPattern.IsMatch(Encoding.Latin1.GetBytes(pattern), Encoding.Latin1.GetBytes(text));
}
