using System.Buffers;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Resp;

public sealed class RespWriterTests
{
    [Theory]
    [InlineData(RespProtocol.Resp2)]
    [InlineData(RespProtocol.Resp3)]
    public void Protocol_independent_replies(RespProtocol protocol)
    {
        Assert.Equal("+OK\r\n", Write(protocol, w => w.WriteOk()));
        Assert.Equal("+QUEUED\r\n", Write(protocol, w => w.WriteQueued()));
        Assert.Equal("+PONG\r\n", Write(protocol, w => w.WritePong()));
        Assert.Equal("+hello\r\n", Write(protocol, w => w.WriteSimpleString("hello"u8)));
        Assert.Equal("+hello\r\n", Write(protocol, w => w.WriteSimpleString("hello")));
        Assert.Equal("-ERR unknown command 'x'\r\n", Write(protocol, w => w.WriteError("ERR unknown command 'x'")));
        Assert.Equal("-WRONGTYPE Operation\r\n", Write(protocol, w => w.WriteError("-WRONGTYPE Operation")));
        Assert.Equal(":0\r\n:1\r\n:-1\r\n:9223372036854775807\r\n:-9223372036854775808\r\n", Write(protocol, w =>
        {
            w.WriteInteger(0);
            w.WriteInteger(1);
            w.WriteInteger(-1);
            w.WriteInteger(long.MaxValue);
            w.WriteInteger(long.MinValue);
        }));
        Assert.Equal("$3\r\na\r\n\r\n$0\r\n\r\n", Write(protocol, w =>
        {
            w.WriteBulkString("a\r\n"u8);
            w.WriteBulkString(ReadOnlySpan<byte>.Empty);
        }));
        Assert.Equal("$2\r\n\xc3\xa9\r\n", Write(protocol, w => w.WriteBulkString("é")));
        Assert.Equal("$2\r\n42\r\n$20\r\n-9223372036854775808\r\n", Write(protocol, w =>
        {
            w.WriteBulkString(42);
            w.WriteBulkString(long.MinValue);
        }));
        Assert.Equal("*2\r\n*0\r\n", Write(protocol, w =>
        {
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(0);
        }));
        Assert.Equal("raw", Write(protocol, w => w.WriteRaw("raw"u8)));
    }

    [Fact]
    public void Line_breaks_in_status_and_error_text_become_spaces()
    {
        Assert.Equal("-ERR a b  c\r\n", Write(RespProtocol.Resp2, w => w.WriteError("ERR a\nb\r\nc")));
        Assert.Equal("+a b\r\n", Write(RespProtocol.Resp2, w => w.WriteSimpleString("a\rb"u8)));
        Assert.Equal("+a b\r\n", Write(RespProtocol.Resp2, w => w.WriteSimpleString("a\nb")));
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, "$-1\r\n", "*-1\r\n", "*4\r\n", "*3\r\n", "*2\r\n", ":1\r\n:0\r\n")]
    [InlineData(RespProtocol.Resp3, "_\r\n", "_\r\n", "%2\r\n", "~3\r\n", ">2\r\n", "#t\r\n#f\r\n")]
    public void Protocol_dependent_replies(RespProtocol protocol, string nullBulk, string nullArray, string map, string set, string push, string booleans)
    {
        Assert.Equal(nullBulk, Write(protocol, w => w.WriteNullBulk()));
        Assert.Equal(nullArray, Write(protocol, w => w.WriteNullArray()));
        Assert.Equal(map, Write(protocol, w => w.WriteMapHeader(2)));
        Assert.Equal(set, Write(protocol, w => w.WriteSetHeader(3)));
        Assert.Equal(push, Write(protocol, w => w.WritePushHeader(2)));
        Assert.Equal(booleans, Write(protocol, w =>
        {
            w.WriteBoolean(true);
            w.WriteBoolean(false);
        }));
    }

    [Fact]
    public void Verbatim_string_is_a_bulk_string_in_resp2()
    {
        Assert.Equal("=9\r\ntxt:hello\r\n", Write(RespProtocol.Resp3, w => w.WriteVerbatimString("txt", "hello"u8)));
        Assert.Equal("$5\r\nhello\r\n", Write(RespProtocol.Resp2, w => w.WriteVerbatimString("txt", "hello"u8)));
    }

    // Expected texts are glibc's printf("%.17g") output, as Redis 7.0 sends them.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(3.141, "3.141")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "1e+17")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00012345, "0.00012344999999999999")]
    [InlineData(1e-4 / 3, "3.3333333333333335e-05")]
    [InlineData(5e-324, "4.9406564584124654e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(2.5e-308, "2.4999999999999998e-308")]
    [InlineData(9.9999999999999999e22, "9.9999999999999992e+22")]
    [InlineData(100.0, "100")]
    [InlineData(1234.5678, "1234.5678")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.NaN, "nan")]
    public void Doubles_are_formatted_as_percent_17g(double value, string text)
    {
        Assert.Equal($",{text}\r\n", Write(RespProtocol.Resp3, w => w.WriteDouble(value)));
        Assert.Equal($"${text.Length}\r\n{text}\r\n", Write(RespProtocol.Resp2, w => w.WriteDouble(value)));
    }

    [Fact]
    public void Large_bulk_string_is_written_in_pieces()
    {
        byte[] value = Enumerable.Range(0, 1_000_000).Select(i => (byte)(i * 7)).ToArray();
        var output = new ArrayBufferWriter<byte>();

        new RespWriter(output).WriteBulkString(value);

        Assert.Equal([.. "$1000000\r\n"u8, .. value, .. "\r\n"u8], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Output_can_be_swapped()
    {
        var first = new ArrayBufferWriter<byte>();
        var second = new ArrayBufferWriter<byte>();
        var writer = new RespWriter(first);
        writer.WriteOk();
        writer.Output = second;
        writer.WritePong();

        Assert.Equal("+OK\r\n", Latin1.Text(first.WrittenSpan));
        Assert.Equal("+PONG\r\n", Latin1.Text(second.WrittenSpan));
    }

    private static string Write(RespProtocol protocol, Action<RespWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new RespWriter(output) { Protocol = protocol });
        return Latin1.Text(output.WrittenSpan);
    }
}
