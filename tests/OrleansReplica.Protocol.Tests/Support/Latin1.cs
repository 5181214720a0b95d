using System.Text;

namespace OrleansReplica.Protocol.Tests.Support;

/// <summary>Byte strings written as C# strings whose chars are bytes 0-255, so test inputs read like the wire.</summary>
internal static class Latin1
{
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
