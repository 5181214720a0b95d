using System.Buffers;
using System.Globalization;
using System.Text;

namespace OrleansReplica.Client;

/// <summary>Encodes a command's arguments as a RESP multibulk request: strings as UTF-8, byte arrays as is, numbers in invariant text.</summary>
internal static class RespCommandEncoder
{
    public static void Encode(IBufferWriter<byte> output, IReadOnlyList<object> args)
    {
        if (args.Count == 0)
        {
            throw new ArgumentException("A command needs at least one argument.", nameof(args));
        }

        WriteLine(output, '*', args.Count);
        foreach (object arg in args)
        {
            switch (arg)
            {
                case null:
                    throw new ArgumentNullException(nameof(args), "Command arguments cannot be null.");
                case byte[] bytes:
                    WriteBulk(output, bytes);
                    break;
                case ReadOnlyMemory<byte> memory:
                    WriteBulk(output, memory.Span);
                    break;
                case Memory<byte> memory:
                    WriteBulk(output, memory.Span);
                    break;
                case string text:
                    WriteBulk(output, Encoding.UTF8.GetBytes(text));
                    break;
                default:
                    WriteBulk(output, Encoding.UTF8.GetBytes(FormatScalar(arg)));
                    break;
            }
        }
    }

    private static string FormatScalar(object arg) => arg switch
    {
        bool b => b ? "1" : "0",
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => arg.ToString() ?? string.Empty,
    };

    // Redis reads doubles with strtod: "inf" and "-inf" rather than .NET's "Infinity".
    private static string FormatDouble(double d) => d switch
    {
        double.PositiveInfinity => "+inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(d) => "nan",
        _ => d.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WriteLine(output, '$', value.Length);
        output.Write(value);
        output.Write("\r\n"u8);
    }

    private static void WriteLine(IBufferWriter<byte> output, char prefix, long value)
    {
        Span<byte> line = stackalloc byte[24];
        line[0] = (byte)prefix;
        value.TryFormat(line.Slice(1), out int written, default, CultureInfo.InvariantCulture);
        line[written + 1] = (byte)'\r';
        line[written + 2] = (byte)'\n';
        output.Write(line.Slice(0, written + 3));
    }
}
