using OrleansReplica.Protocol.Aof;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Aof;

/// <summary>Expected numbers and messages are those redis-check-aof 7.0.15 prints for the same bytes.</summary>
public class AofCommandScannerTests
{
    // 50 bytes, 12 lines: what Redis appends for "SET a 1" in database 0.
    private const string Good = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n";

    public static TheoryData<string, string, AofScanStatus, long, long, long, string?, long> Cases => new()
    {
        // name, content, status, ok_up_to, ok_up_to_line, commands, error, error offset
        { "valid", Good, AofScanStatus.Valid, 50, 13, 2, null, 0 },
        { "empty", "", AofScanStatus.Valid, 0, 1, 0, null, 0 },
        { "cut at a command boundary", Good[..23], AofScanStatus.Valid, 23, 6, 1, null, 0 },
        { "cut inside an argument", Good[..40], AofScanStatus.Truncated, 23, 10, 1, "Expected to read 3 bytes, got 0 bytes", 40 },
        { "cut after the count line", Good[..27], AofScanStatus.Truncated, 23, 7, 1, null, 0 },
        { "cut inside the count", Good[..24], AofScanStatus.Truncated, 23, 6, 1, "Expected \\r\\n, got: 000d", 23 },
        { "argument without CRLF at the end", Good + "*1\r\n$4\r\nPING", AofScanStatus.Truncated, 50, 15, 2, "Expected to read 6 bytes, got 4 bytes", 58 },
        { "argument with CR only at the end", Good + "*1\r\n$4\r\nPING\r", AofScanStatus.Truncated, 50, 15, 2, "Expected to read 6 bytes, got 5 bytes", 58 },
        { "MULTI without EXEC", Good + "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n", AofScanStatus.Truncated, 50, 23, 2, "Reached EOF before reading EXEC for MULTI", 89 },
        { "garbage byte", Good + "x*1\r\n$4\r\nPING\r\n", AofScanStatus.FormatError, 50, 13, 2, null, 0 },
        { "stray CRLF", Good + "*1\r\n$4\r\nPING\r\n\r\n", AofScanStatus.FormatError, 64, 16, 3, null, 0 },
        { "wrong prefix", Good + "*1\r\n#4\r\nPING\r\n", AofScanStatus.FormatError, 50, 14, 2, "Expected prefix '$', got: '#'", 54 },
        { "count not a number", Good + "*x\r\n", AofScanStatus.FormatError, 50, 13, 2, "Expected \\r\\n, got: 780d", 50 },
        { "LF without CR", Good + "*1\n$4\r\nPING\r\n", AofScanStatus.FormatError, 50, 13, 2, "Expected \\r\\n, got: 0a00", 50 },
        { "length with junk", Good + "*1\r\n$4x\r\nPING\r\n", AofScanStatus.FormatError, 50, 14, 2, "Expected \\r\\n, got: 780d", 54 },
        { "argument longer than its length", Good + "*1\r\n$4\r\nPINGxx\r\n", AofScanStatus.FormatError, 50, 15, 2, "Expected \\r\\n, got: 7878", 58 },
        { "negative length", Good + "*1\r\n$-1\r\n", AofScanStatus.FormatError, 50, 15, 2, "Expected to read string of -1 bytes, which is not in the suitable range", 54 },
        { "nested MULTI", Good + "*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nMULTI\r\n", AofScanStatus.FormatError, 50, 19, 2, "Unexpected MULTI in AOF test.aof", 73 },
        { "EXEC without MULTI", Good + "*1\r\n$4\r\nEXEC\r\n", AofScanStatus.FormatError, 50, 16, 2, "Unexpected EXEC in AOF test.aof", 58 },
        { "negative count", Good + "*-1\r\n", AofScanStatus.Valid, 55, 14, 3, null, 0 },
        { "zero count", Good + "*0\r\n", AofScanStatus.Valid, 54, 14, 3, null, 0 },
        { "signed and spaced lengths", Good + "*1\r\n$+4\r\nPING\r\n*1\r\n$ 4\r\nPING\r\n", AofScanStatus.Valid, 80, 19, 4, null, 0 },
        { "comments and annotations", "#TS:100\r\n" + Good + "#hello\r\n*1\r\n$4\r\nPING\r\n#no newline", AofScanStatus.Valid, 92, 16, 3, null, 0 },
        { "complete transaction", Good + "*1\r\n$5\r\nmulti\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nExec\r\n", AofScanStatus.Valid, 93, 22, 5, null, 0 },
        { "byte above 0x7f as terminator", Good + "*1\r\n$1\r\nA\xff\xfe", AofScanStatus.FormatError, 50, 15, 2, "Expected \\r\\n, got: fffffffffffffffe", 58 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsWhatRedisCheckAofReports(string name, string content, AofScanStatus status, long validLength, long line, long commands, string? error, long errorOffset)
    {
        var result = AofCommandScanner.ScanAll(new MemoryStream(Latin1.Bytes(content)), "test.aof");

        Assert.True(status == result.Status, $"{name}: {result}");
        Assert.Equal(validLength, result.ValidLength);
        Assert.Equal(line, result.Line);
        Assert.Equal(commands, result.Commands);
        Assert.Equal(error, result.Error);
        if (error is not null)
        {
            Assert.Equal(errorOffset, result.ErrorOffset);
        }
        Assert.Equal(status == AofScanStatus.Valid, result.IsValid);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GivesTheSameAnswerWhenTheStreamDeliversOneByteAtATime(string name, string content, AofScanStatus status, long validLength, long line, long commands, string? error, long errorOffset)
    {
        var whole = AofCommandScanner.ScanAll(new MemoryStream(Latin1.Bytes(content)), "test.aof");
        var trickled = AofCommandScanner.ScanAll(new TrickleStream(Latin1.Bytes(content)), "test.aof");

        Assert.Equal(whole, trickled);
        Assert.Equal((status, validLength, line, commands, error), (trickled.Status, trickled.ValidLength, trickled.Line, trickled.Commands, trickled.Error));
        _ = (name, errorOffset);
    }

    [Fact]
    public void StopsAtTheFirstAnnotationLaterThanTheTimestamp()
    {
        var content = Latin1.Bytes("#TS:100\r\n" + Good + "#TS:200\r\n*1\r\n$4\r\nPING\r\n#TS:300\r\n*1\r\n$4\r\nPING\r\n");

        var cut = AofCommandScanner.ScanAll(new MemoryStream(content), "ts.aof", truncateToTimestamp: 150);
        Assert.Equal(AofScanStatus.TimestampReached, cut.Status);
        Assert.Equal(59, cut.ValidLength);
        Assert.Equal(200, cut.Timestamp);
        Assert.Equal(2, cut.Commands);

        var atStart = AofCommandScanner.ScanAll(new MemoryStream(content), "ts.aof", truncateToTimestamp: 50);
        Assert.Equal(AofScanStatus.TimestampReached, atStart.Status);
        Assert.Equal(0, atStart.ValidLength);

        var nothing = AofCommandScanner.ScanAll(new MemoryStream(content), "ts.aof", truncateToTimestamp: 300);
        Assert.Equal(AofScanStatus.Valid, nothing.Status);
        Assert.Equal(content.Length, nothing.ValidLength);
        Assert.Equal(19, nothing.Line);

        // Without a timestamp to truncate to, annotations are not even parsed.
        var bad = Latin1.Bytes("*1\r\n$4\r\nPING\r\n#TS:12a\r\n");
        Assert.True(AofCommandScanner.ScanAll(new MemoryStream(bad), "x").IsValid);
        var invalid = AofCommandScanner.ScanAll(new MemoryStream(bad), "x", truncateToTimestamp: 5);
        Assert.Equal(AofScanStatus.InvalidTimestamp, invalid.Status);
        Assert.Equal(14, invalid.ErrorOffset);
        Assert.Equal(AofScanStatus.InvalidTimestamp, AofCommandScanner.ScanAll(new MemoryStream(Latin1.Bytes("#TS:12\n")), "x", 5).Status);
    }

    [Fact]
    public void ReportsFileOffsetsAfterAPreambleAndCountsLinesAcrossFiles()
    {
        var scanner = new AofCommandScanner();
        var stream = new MemoryStream(Latin1.Bytes("REDIS0010" + Good));
        stream.Position = 9;

        var first = scanner.Scan(stream, "base", startOffset: 9);
        Assert.Equal(59, first.ValidLength);
        Assert.Equal(13, first.Line);

        var second = scanner.Scan(new MemoryStream(Latin1.Bytes(Good[..40])), "incr");
        Assert.Equal(AofScanStatus.Truncated, second.Status);
        Assert.Equal(23, second.ValidLength);
        Assert.Equal(22, second.Line);
        Assert.Equal(22, scanner.Line);
    }

    [Fact]
    public void ScansLargeArgumentsInBoundedMemory()
    {
        const int valueLength = 16 * 1024 * 1024;
        var header = Latin1.Bytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${valueLength}\r\n");
        var content = new byte[header.Length + valueLength + 2];
        header.CopyTo(content, 0);
        content[^2] = (byte)'\r';
        content[^1] = (byte)'\n';
        var scanner = new AofCommandScanner();
        scanner.Scan(new MemoryStream(Latin1.Bytes(Good)), "warm-up");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = scanner.Scan(new MemoryStream(content), "big.aof");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(AofScanStatus.Valid, result.Status);
        Assert.Equal(content.Length, result.ValidLength);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");

        var cut = AofCommandScanner.ScanAll(new MemoryStream(content, 0, content.Length - 1000), "big.aof");
        Assert.Equal(AofScanStatus.Truncated, cut.Status);
        Assert.Equal(0, cut.ValidLength);
        Assert.Equal($"Expected to read {valueLength + 2} bytes, got {valueLength - 998} bytes", cut.Error);
    }

    [Fact]
    public void RejectsLengthsOutOfRange()
    {
        var result = AofCommandScanner.ScanAll(new MemoryStream(Latin1.Bytes("*1\r\n$99999999999999999999\r\n")), "x");

        Assert.Equal(AofScanStatus.FormatError, result.Status);
        Assert.Equal("Expected to read string of 9223372036854775807 bytes, which is not in the suitable range", result.Error);
    }

    [Theory]
    [InlineData("", true, 0L)]
    [InlineData("42", true, 42L)]
    [InlineData(" 12", true, 12L)]
    [InlineData("+7", true, 7L)]
    [InlineData("-5", true, -5L)]
    [InlineData("12x", false, 12L)]
    [InlineData("5 ", false, 5L)]
    [InlineData("abc", false, 0L)]
    [InlineData("  ", false, 0L)]
    [InlineData("99999999999999999999", false, long.MaxValue)]
    public void ParsesTimestampArgumentsAsRedisCheckAof(string text, bool accepted, long value)
    {
        Assert.Equal(accepted, AofNumberSyntax.TryParseWhole(text, out var parsed));
        Assert.Equal(value, parsed);
    }

    /// <summary>A stream that returns one byte per read, as a slow pipe might.</summary>
    private sealed class TrickleStream(byte[] content) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= content.Length || count == 0)
            {
                return 0;
            }
            buffer[offset] = content[_position++];
            return 1;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
