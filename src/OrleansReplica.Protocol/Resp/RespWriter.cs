using System.Buffers;
using System.Buffers.Text;
using System.Text;

using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Protocol.Resp;

/// <summary>Writes replies in RESP2 or RESP3 (as Redis 7.0 encodes them) into a buffer writer; one instance per connection.</summary>
public sealed class RespWriter
{
    // Prefix, 20 digits and a sign, CRLF.
    private const int MaxIntegerLine = 1 + 20 + 2;

    // Larger values are copied into the output in pieces so that a huge reply never asks for one huge span.
    private const int CopyChunk = 64 * 1024;

    public RespWriter(IBufferWriter<byte> output)
    {
        Output = output ?? throw new ArgumentNullException(nameof(output));
    }

    public IBufferWriter<byte> Output { get; set; }

    public RespProtocol Protocol { get; set; } = RespProtocol.Resp2;

    private bool IsResp3 => Protocol == RespProtocol.Resp3;

    public void WriteOk() => WriteRaw("+OK\r\n"u8);

    public void WriteQueued() => WriteRaw("+QUEUED\r\n"u8);

    public void WritePong() => WriteRaw("+PONG\r\n"u8);

    /// <summary>"+text"; CR and LF in the text become spaces so that the reply stays one line.</summary>
    public void WriteSimpleString(ReadOnlySpan<byte> s)
    {
        WriteByte((byte)'+');
        WriteLineText(s);
    }

    public void WriteSimpleString(string ascii) => WriteSingleLine((byte)'+', ascii);

    /// <summary>"-" + full error text (e.g. "ERR ..." or "WRONGTYPE ..."); a text that already starts with '-' is written as is. CR/LF become spaces.</summary>
    public void WriteError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.StartsWith('-'))
        {
            WriteSingleLine((byte)'-', message.AsSpan(1));
        }
        else
        {
            WriteSingleLine((byte)'-', message);
        }
    }

    public void WriteInteger(long value)
    {
        switch (value)
        {
            case 0:
                WriteRaw(":0\r\n"u8);
                break;
            case 1:
                WriteRaw(":1\r\n"u8);
                break;
            default:
                WriteNumberLine((byte)':', value);
                break;
        }
    }

    public void WriteBulkString(ReadOnlySpan<byte> value)
    {
        WriteNumberLine((byte)'$', value.Length);
        WriteBytes(value);
        WriteCrlf();
    }

    public void WriteBulkString(string utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        int length = Encoding.UTF8.GetByteCount(utf8);
        WriteNumberLine((byte)'$', length);
        var span = Output.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(utf8, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        Output.Advance(length + 2);
    }

    /// <summary>An integer as bulk text, e.g. "$2\r\n42\r\n".</summary>
    public void WriteBulkString(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int length);
        WriteBulkString(digits.Slice(0, length));
    }

    /// <summary>RESP2 "$-1", RESP3 "_".</summary>
    public void WriteNullBulk() => WriteRaw(IsResp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>RESP2 "*-1", RESP3 "_".</summary>
    public void WriteNullArray() => WriteRaw(IsResp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void WriteArrayHeader(int count) => WriteNumberLine((byte)'*', count);

    /// <summary>RESP3 "%n"; RESP2 a flat array of 2n elements.</summary>
    public void WriteMapHeader(int pairs)
    {
        if (IsResp3)
        {
            WriteNumberLine((byte)'%', pairs);
        }
        else
        {
            WriteNumberLine((byte)'*', 2L * pairs);
        }
    }

    /// <summary>RESP3 "~n"; RESP2 an array.</summary>
    public void WriteSetHeader(int count) => WriteNumberLine(IsResp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>RESP3 ">n"; RESP2 an array (as pub/sub messages are sent).</summary>
    public void WritePushHeader(int count) => WriteNumberLine(IsResp3 ? (byte)'>' : (byte)'*', count);

    private static int WriteNan(Span<byte> text)
    {
        "nan"u8.CopyTo(text);
        return 3;
    }

    /// <summary>RESP3 ",%.17g"; RESP2 the same text as a bulk string. Infinities are "inf"/"-inf", NaN "nan".</summary>
    public void WriteDouble(double value)
    {
        Span<byte> text = stackalloc byte[RedisNumber.MaxDouble17gLength];
        // Redis never sends a NaN; should one come, it is plain "nan" whatever its sign bit.
        int length = double.IsNaN(value) ? WriteNan(text) : RedisNumber.FormatDouble17g(value, text);
        if (IsResp3)
        {
            var span = Output.GetSpan(length + 3);
            span[0] = (byte)',';
            text.Slice(0, length).CopyTo(span.Slice(1));
            span[length + 1] = (byte)'\r';
            span[length + 2] = (byte)'\n';
            Output.Advance(length + 3);
        }
        else
        {
            WriteBulkString(text.Slice(0, length));
        }
    }

    /// <summary>RESP3 "#t"/"#f"; RESP2 ":1"/":0".</summary>
    public void WriteBoolean(bool value)
    {
        if (IsResp3)
        {
            WriteRaw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            WriteRaw(value ? ":1\r\n"u8 : ":0\r\n"u8);
        }
    }

    /// <summary>RESP3 "=len\r\nfmt:text"; RESP2 the text as a bulk string. <paramref name="format3"/> is three ASCII letters such as "txt".</summary>
    public void WriteVerbatimString(string format3, ReadOnlySpan<byte> text)
    {
        ArgumentNullException.ThrowIfNull(format3);
        if (!IsResp3)
        {
            WriteBulkString(text);
            return;
        }

        if (format3.Length != 3)
        {
            throw new ArgumentException("A verbatim string format is exactly three characters.", nameof(format3));
        }

        WriteNumberLine((byte)'=', text.Length + 4L);
        var span = Output.GetSpan(4);
        for (int i = 0; i < 3; i++)
        {
            span[i] = (byte)format3[i];
        }

        span[3] = (byte)':';
        Output.Advance(4);
        WriteBytes(text);
        WriteCrlf();
    }

    /// <summary>Bytes that are already RESP (a pre-encoded reply, a proxied reply).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => WriteBytes(bytes);

    private void WriteNumberLine(byte prefix, long value)
    {
        var span = Output.GetSpan(MaxIntegerLine);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span.Slice(1), out int length);
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        Output.Advance(length + 3);
    }

    private void WriteSingleLine(byte prefix, ReadOnlySpan<char> text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var span = Output.GetSpan(length + 3);
        span[0] = prefix;
        var body = span.Slice(1, length);
        Encoding.UTF8.GetBytes(text, body);
        ReplaceLineBreaks(body);
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        Output.Advance(length + 3);
    }

    private void WriteLineText(ReadOnlySpan<byte> text)
    {
        if (text.IndexOfAny((byte)'\r', (byte)'\n') < 0)
        {
            WriteBytes(text);
        }
        else
        {
            var span = Output.GetSpan(text.Length);
            text.CopyTo(span);
            ReplaceLineBreaks(span.Slice(0, text.Length));
            Output.Advance(text.Length);
        }

        WriteCrlf();
    }

    // UTF-8 multi-byte sequences never contain CR or LF bytes, so a byte-wise replacement is safe.
    private static void ReplaceLineBreaks(Span<byte> text)
    {
        int at;
        while ((at = text.IndexOfAny((byte)'\r', (byte)'\n')) >= 0)
        {
            text[at] = (byte)' ';
            text = text.Slice(at + 1);
        }
    }

    private void WriteByte(byte value)
    {
        var span = Output.GetSpan(1);
        span[0] = value;
        Output.Advance(1);
    }

    private void WriteCrlf() => WriteBytes("\r\n"u8);

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = Output.GetSpan(Math.Min(bytes.Length, CopyChunk));
            int n = Math.Min(span.Length, bytes.Length);
            bytes.Slice(0, n).CopyTo(span);
            Output.Advance(n);
            bytes = bytes.Slice(n);
        }
    }
}
