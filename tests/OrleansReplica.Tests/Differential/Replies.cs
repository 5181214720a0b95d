using System.Text;

namespace OrleansReplica.Tests.Differential;

/// <summary>How differential tests compare raw replies (as a script line asks) and show them in a failure.</summary>
internal static class Replies
{
    public static bool Match(byte[] expected, byte[] actual, ReplyComparison comparison) => comparison switch
    {
        ReplyComparison.TypeOnly => expected.Length > 0 && actual.Length > 0 && expected[0] == actual[0],
        // Both servers ran the script at different moments: 2 units (TTL, IDLETIME), or 0.1% of a PTTL in ms.
        ReplyComparison.Approximate when IsInteger(expected, out var a) && IsInteger(actual, out var b) => Math.Abs(a - b) <= Math.Max(2, Math.Abs(a) / 1000),
        _ => expected.AsSpan().SequenceEqual(actual),
    };

    public static string Show(byte[] reply)
    {
        var text = Encoding.UTF8.GetString(reply).Replace("\r\n", "\\r\\n");
        return text.Length > 400 ? text[..400] + "..." : text;
    }

    private static bool IsInteger(byte[] reply, out long value)
    {
        value = 0;
        return reply.Length > 3 && reply[0] == (byte)':' && long.TryParse(Encoding.ASCII.GetString(reply, 1, reply.Length - 3), out value);
    }
}
