using System.Buffers;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Protocol.Resp;

/// <summary>Writes commands as RESP multibulk requests (*N then $len bulk strings), the form of the AOF and the replication stream.</summary>
public static class RespCommandWriter
{
    // '*' or '$', 20 digits and a sign, CRLF.
    private const int MaxHeader = 1 + 21 + 2;

    public static void WriteArrayHeader(IBufferWriter<byte> output, int count) => WriteHeader(output, (byte)'*', count);

    public static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WriteHeader(output, (byte)'$', value.Length);
        var span = output.GetSpan(value.Length + 2);
        value.CopyTo(span);
        span[value.Length] = (byte)'\r';
        span[value.Length + 1] = (byte)'\n';
        output.Advance(value.Length + 2);
    }

    public static void WriteBulk(IBufferWriter<byte> output, long value)
    {
        Span<byte> text = stackalloc byte[RedisNumber.MaxInt64Length];
        WriteBulk(output, text[..RedisNumber.FormatInt64(value, text)]);
    }

    /// <summary>A whole command of plain arguments (not for hot paths: it encodes each string).</summary>
    public static void WriteCommand(IBufferWriter<byte> output, params ReadOnlySpan<string> arguments)
    {
        WriteArrayHeader(output, arguments.Length);
        foreach (var argument in arguments)
        {
            WriteBulk(output, System.Text.Encoding.UTF8.GetBytes(argument));
        }
    }

    /// <summary>A command given as parsed arguments (an inline request becomes a multibulk one).</summary>
    public static void WriteCommand(IBufferWriter<byte> output, CommandArguments arguments)
    {
        if (!arguments.IsInline)
        {
            output.Write(arguments.RawFrame);
            return;
        }
        WriteArrayHeader(output, arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            WriteBulk(output, arguments[i]);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, long value)
    {
        var span = output.GetSpan(MaxHeader);
        span[0] = prefix;
        var written = RedisNumber.FormatInt64(value, span[1..]);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(written + 3);
    }
}
