using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

public sealed class LzfTests
{
    public static TheoryData<string> Inputs() => new()
    {
        "a",
        "abc",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "hello hello hello hello hello hello",
        string.Concat(Enumerable.Repeat("0123456789abcdef", 2000)),
        string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('a' + i * 7 % 26))),
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Round_trips(string text)
    {
        var input = Encoding.ASCII.GetBytes(text);
        var compressed = new byte[input.Length + 64];
        var length = Lzf.Compress(input, compressed);
        Assert.True(length > 0);
        var output = new byte[input.Length];
        Assert.Equal(input.Length, Lzf.Decompress(compressed.AsSpan(0, length), output));
        Assert.Equal(input, output);
    }

    [Fact]
    public void Round_trips_random_and_repetitive_data_of_many_sizes()
    {
        var random = new Random(42);
        for (var size = 1; size < 70_000; size = size * 3 / 2 + 1)
        {
            var input = new byte[size];
            for (var i = 0; i < size; i++)
            {
                // Runs of repeated bytes, some long, mixed with noise: exercises literals and both reference forms.
                input[i] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(i / (1 + random.Next(300)) % 7);
            }
            var compressed = new byte[size + size / 16 + 64];
            var length = Lzf.Compress(input, compressed);
            Assert.True(length > 0, $"size {size}");
            var output = new byte[size];
            Assert.Equal(size, Lzf.Decompress(compressed.AsSpan(0, length), output));
            Assert.Equal(input, output);
        }
    }

    [Fact]
    public void Overlapping_references_repeat_the_pattern()
    {
        for (var period = 1; period <= 12; period++)
        {
            for (var length = 3; length <= 264; length += 37)
            {
                // A literal run of `period` bytes, then one reference `period` back that copies `length` bytes.
                var stream = new List<byte> { (byte)(period - 1) };
                stream.AddRange(Enumerable.Range(0, period).Select(i => (byte)('a' + i)));
                var encoded = length - 2;
                var distance = period - 1;
                if (encoded < 7)
                {
                    stream.Add((byte)((encoded << 5) | (distance >> 8)));
                }
                else
                {
                    stream.Add((byte)((7 << 5) | (distance >> 8)));
                    stream.Add((byte)(encoded - 7));
                }
                stream.Add((byte)distance);
                var output = new byte[period + length];
                Assert.Equal(output.Length, Lzf.Decompress(stream.ToArray(), output));
                var expected = Enumerable.Range(0, output.Length).Select(i => (byte)('a' + i % period)).ToArray();
                Assert.Equal(expected, output);
            }
        }
    }

    [Fact]
    public void Compress_returns_zero_when_the_output_is_too_small()
    {
        var input = new byte[100];
        new Random(1).NextBytes(input);
        Assert.Equal(0, Lzf.Compress(input, new byte[50]));
        Assert.Equal(0, Lzf.Compress([], new byte[10]));
    }

    [Fact]
    public void Repetitive_input_compresses_well()
    {
        var input = Encoding.ASCII.GetBytes(new string('x', 10_000));
        var compressed = new byte[10_000];
        var length = Lzf.Compress(input, compressed);
        Assert.InRange(length, 1, 200);
    }

    [Fact]
    public void Decompresses_a_stream_written_by_redis()
    {
        // 50 a's as redis-server 7.0 saved them: literal "aa", a 46-byte back reference at distance 1, literal "aa".
        var compressed = new byte[] { 0x01, 0x61, 0x61, 0xE0, 0x25, 0x00, 0x01, 0x61, 0x61 };
        var output = new byte[50];
        Assert.Equal(50, Lzf.Decompress(compressed, output));
        Assert.All(output, b => Assert.Equal((byte)'a', b));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x61 })] // literal run longer than the input
    [InlineData(new byte[] { 0x20, 0x00 })] // back reference before the start of the output
    [InlineData(new byte[] { 0x00, 0x61, 0xE0 })] // long reference missing its length and distance
    [InlineData(new byte[] { 0x00, 0x61, 0x20 })] // short reference missing its distance
    [InlineData(new byte[] { 0x00, 0x61, 0x20, 0x05 })] // distance reaching before the start
    public void Corrupt_input_returns_minus_one(byte[] compressed)
    {
        Assert.Equal(-1, Lzf.Decompress(compressed, new byte[100]));
    }

    [Fact]
    public void Output_too_small_returns_minus_one()
    {
        var input = Encoding.ASCII.GetBytes(new string('z', 100));
        var compressed = new byte[100];
        var length = Lzf.Compress(input, compressed);
        Assert.Equal(-1, Lzf.Decompress(compressed.AsSpan(0, length), new byte[99]));
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(3);
        var output = new byte[256];
        for (var i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            Assert.InRange(Lzf.Decompress(garbage, output), -1, output.Length);
        }
    }
}
