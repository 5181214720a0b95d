using System.Buffers;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Resp;

public sealed class RespRequestReaderTests
{
    public static TheoryData<string> Names => ReaderCases.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void Contiguous_buffer_matches_redis(string name)
    {
        var c = ReaderCases.All[name];
        var reader = NewReader(c);
        var args = new CommandArguments();

        var status = reader.TryRead(Latin1.Bytes(c.Input), args, out int consumed, out string? error);

        AssertOutcome(c, status, consumed, error, args);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_two_segment_split_matches_redis(string name)
    {
        var c = ReaderCases.All[name];
        byte[] input = Latin1.Bytes(c.Input);
        int step = input.Length > 1000 ? 997 : 1;
        for (int split = 1; split < input.Length; split += step)
        {
            var reader = NewReader(c);
            var args = new CommandArguments();

            var status = reader.TryRead(Segments.SplitAt(input, split), args, out long consumed, out string? error);

            AssertOutcome(c, status, consumed, error, args);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void One_byte_segments_match_redis(string name)
    {
        var c = ReaderCases.All[name];
        var reader = NewReader(c);
        var args = new CommandArguments();

        var status = reader.TryRead(Segments.OneBytePerSegment(Latin1.Bytes(c.Input)), args, out long consumed, out string? error);

        AssertOutcome(c, status, consumed, error, args);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Bytes_arriving_one_at_a_time_resume_to_the_same_result(string name)
    {
        var c = ReaderCases.All[name];
        if (c.Input.Length > 1000)
        {
            return;
        }

        byte[] input = Latin1.Bytes(c.Input);
        foreach (bool segmented in new[] { false, true })
        {
            var reader = NewReader(c);
            var args = new CommandArguments();
            RespParseStatus status = RespParseStatus.Incomplete;
            long consumed = 0;
            string? error = null;
            for (int length = 1; length <= input.Length && status == RespParseStatus.Incomplete; length++)
            {
                if (segmented)
                {
                    status = reader.TryRead(Segments.SplitAt(input[..length], length / 2 == 0 ? [] : [length / 2]), args, out consumed, out error);
                }
                else
                {
                    status = reader.TryRead(input.AsMemory(0, length), args, out int n, out error);
                    consumed = n;
                }
            }

            AssertOutcome(c, status, consumed, error, args);
        }
    }

    [Fact]
    public void Pipeline_is_read_request_by_request()
    {
        byte[] input = Latin1.Bytes("*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n*0\r\n\r\n*1\r\n$4\r\nQUIT\r\n");
        var reader = new RespRequestReader();
        var args = new CommandArguments();
        var seen = new List<string>();
        int offset = 0;
        while (offset < input.Length)
        {
            Assert.Equal(RespParseStatus.Complete, reader.TryRead(input.AsMemory(offset), args, out int consumed, out _));
            seen.Add(string.Join(' ', Enumerable.Range(0, args.Count).Select(i => Latin1.Text(args[i]))) + (args.IsInline ? " (inline)" : string.Empty));
            Assert.Equal(input.AsSpan(offset, consumed).ToArray(), args.RawFrame.ToArray());
            offset += consumed;
        }

        Assert.Equal(["GET a", "PING (inline)", "", " (inline)", "QUIT"], seen);
    }

    [Fact]
    public void Arguments_are_slices_of_the_receive_buffer()
    {
        byte[] input = Latin1.Bytes("*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
        var args = new CommandArguments();

        new RespRequestReader().TryRead(input, args, out _, out _);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(args.GetMemory(1), out ArraySegment<byte> segment));
        Assert.Same(input, segment.Array);
        Assert.Equal(17, segment.Offset);
    }

    [Fact]
    public void Quoted_inline_request_keeps_the_raw_frame()
    {
        var args = new CommandArguments();

        new RespRequestReader().TryRead(Latin1.Bytes("SET k \"a b\"\r\nPING\r\n"), args, out int consumed, out _);

        Assert.Equal(13, consumed);
        Assert.Equal("SET k \"a b\"\r\n", Latin1.Text(args.RawFrame));
        Assert.Equal("a b", Latin1.Text(args[2]));
        Assert.True(args.IsInline);
    }

    [Fact]
    public void Proto_max_bulk_len_is_configurable()
    {
        var reader = new RespRequestReader { Limits = new RespLimits(ProtoMaxBulkLen: 3) };

        Assert.Equal(RespParseStatus.Complete, reader.TryRead(Latin1.Bytes("*1\r\n$3\r\nabc\r\n"), new CommandArguments(), out _, out _));
        Assert.Equal(RespParseStatus.Error, reader.TryRead(Latin1.Bytes("*1\r\n$4\r\nabcd\r\n"), new CommandArguments(), out _, out string? error));
        Assert.Equal(RespProtocolErrors.InvalidBulkLength, error);
    }

    [Fact]
    public void Default_limits_are_redis_defaults()
    {
        Assert.Equal(new RespLimits(512L * 1024 * 1024, 1024L * 1024 * 1024), new RespRequestReader().Limits);
        Assert.Equal(new RespRequestReader().Limits, new RespLimits());
    }

    [Fact]
    public void Large_value_spread_over_many_segments_is_copied_once_complete()
    {
        byte[] value = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        byte[] input = [.. Latin1.Bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$300000\r\n"), .. value, .. "\r\n"u8];
        int[] splits = [.. Enumerable.Range(1, input.Length / 4096).Select(i => i * 4096)];
        var reader = new RespRequestReader();
        var args = new CommandArguments();

        Assert.Equal(RespParseStatus.Incomplete, reader.TryRead(Segments.SplitAt(input[..200_000], [.. splits.Where(s => s < 200_000)]), args, out long _, out _));
        Assert.Equal(RespParseStatus.Complete, reader.TryRead(Segments.SplitAt(input, splits), args, out long consumed, out _));

        Assert.Equal(input.Length, consumed);
        Assert.Equal(value, args[2].ToArray());
        Assert.Equal(input, args.RawFrame.ToArray());
    }

    [Fact]
    public void Many_arguments_arriving_in_chunks_are_not_reparsed_from_the_start()
    {
        const int count = 200_000;
        var text = new System.Text.StringBuilder($"*{count}\r\n");
        for (int i = 0; i < count; i++)
        {
            text.Append("$1\r\nx\r\n");
        }

        byte[] input = Latin1.Bytes(text.ToString());
        var reader = new RespRequestReader();
        var args = new CommandArguments();
        RespParseStatus status = RespParseStatus.Incomplete;
        int calls = 0;
        for (int length = 1024; status == RespParseStatus.Incomplete; length = Math.Min(input.Length, length + 1024))
        {
            status = reader.TryRead(input.AsMemory(0, length), args, out _, out _);
            calls++;
        }

        // Without resuming this would touch about calls * count / 2 headers; it finishes quickly only if each call continues.
        Assert.Equal(RespParseStatus.Complete, status);
        Assert.Equal(count, args.Count);
        Assert.True(calls > 1000);
    }

    [Fact]
    public void A_different_request_after_incomplete_is_parsed_afresh()
    {
        var reader = new RespRequestReader();
        var args = new CommandArguments();
        Assert.Equal(RespParseStatus.Incomplete, reader.TryRead(Latin1.Bytes("*2\r\n$3\r\nGET\r\n"), args, out _, out _));

        Assert.Equal(RespParseStatus.Complete, reader.TryRead(Latin1.Bytes("*1\r\n$4\r\nPING\r\n"), args, out int consumed, out _));

        Assert.Equal(14, consumed);
        Assert.Equal("PING", Latin1.Text(args[0]));
    }

    [Fact]
    public void Whole_requests_read_the_same_in_one_pass_as_through_the_full_parser()
    {
        // A contiguous buffer takes the one-pass path when it can; one-byte segments always take the
        // full parser. Random requests, many of them slightly broken, must read the same both ways.
        var random = new Random(2026);
        string[] tokens = ["*", "$", "\r\n", "\r", "\n", "0", "1", "2", "3", "9", "10", "16384", "16385", "-1", "+1", "01", "a", "GET", "\0", " "];
        var outcomes = new Dictionary<RespParseStatus, int>();
        for (int round = 0; round < 3000; round++)
        {
            string text = random.Next(3) == 0 ? RandomTokens(random, tokens) : MutatedRequest(random);
            bool authenticated = random.Next(4) != 0;
            byte[] input = Latin1.Bytes(text);
            var whole = new RespRequestReader { Authenticated = authenticated };
            var wholeArgs = new CommandArguments();
            var parsed = new RespRequestReader { Authenticated = authenticated };
            var parsedArgs = new CommandArguments();

            var wholeStatus = whole.TryRead(input.AsMemory(), wholeArgs, out int wholeConsumed, out string? wholeError);
            var parsedStatus = parsed.TryRead(Segments.OneBytePerSegment(input), parsedArgs, out long parsedConsumed, out string? parsedError);

            Assert.True(parsedStatus == wholeStatus, $"{Escape(text)}: {wholeStatus} against {parsedStatus}");
            outcomes[wholeStatus] = outcomes.GetValueOrDefault(wholeStatus) + 1;
            Assert.Equal(parsedError, wholeError);
            Assert.Equal(parsedConsumed, wholeConsumed);
            if (wholeStatus == RespParseStatus.Complete)
            {
                Assert.Equal(
                    Enumerable.Range(0, parsedArgs.Count).Select(i => Latin1.Text(parsedArgs[i])),
                    Enumerable.Range(0, wholeArgs.Count).Select(i => Latin1.Text(wholeArgs[i])));
            }
        }

        // Every outcome is well represented.
        Assert.All(Enum.GetValues<RespParseStatus>(), status => Assert.True(outcomes.GetValueOrDefault(status) > 100, $"{status}: {outcomes.GetValueOrDefault(status)}"));
    }

    private static string MutatedRequest(Random random)
    {
        var request = new System.Text.StringBuilder($"*{random.Next(1, 4)}\r\n");
        for (int i = 0, count = random.Next(1, 4); i < count; i++)
        {
            var value = new string('v', random.Next(0, 12));
            request.Append($"${value.Length}\r\n{value}\r\n");
        }

        char[] chars = request.ToString().ToCharArray();
        for (int i = 0, edits = random.Next(0, 3); i < edits; i++)
        {
            chars[random.Next(chars.Length)] = "*$\r\n0123456789-+\0x"[random.Next(18)];
        }

        return new string(chars, 0, random.Next(2) == 0 ? chars.Length : random.Next(1, chars.Length + 1));
    }

    private static string RandomTokens(Random random, string[] tokens) =>
        "*" + string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => tokens[random.Next(tokens.Length)]));

    private static string Escape(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0");

    [Fact]
    public void Empty_buffer_is_incomplete()
    {
        var reader = new RespRequestReader();
        Assert.Equal(RespParseStatus.Incomplete, reader.TryRead(ReadOnlyMemory<byte>.Empty, new CommandArguments(), out int consumed, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(RespParseStatus.Incomplete, reader.TryRead(ReadOnlySequence<byte>.Empty, new CommandArguments(), out long consumedLong, out _));
        Assert.Equal(0, consumedLong);
    }

    private static RespRequestReader NewReader(ReaderCase c) => new() { Authenticated = c.Authenticated };

    private static void AssertOutcome(ReaderCase c, RespParseStatus status, long consumed, string? error, CommandArguments args)
    {
        Assert.Equal(c.Status, status);
        Assert.Equal(c.Error, error);
        Assert.Equal(c.Status == RespParseStatus.Complete ? c.Consumed : 0, consumed);
        if (c.Status == RespParseStatus.Complete)
        {
            Assert.Equal(c.Args, Enumerable.Range(0, args.Count).Select(i => Latin1.Text(args[i])).ToArray());
            Assert.Equal(c.Inline, args.IsInline);
            Assert.Equal(c.Input[..c.Consumed], Latin1.Text(args.RawFrame));
        }
    }
}
