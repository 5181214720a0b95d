namespace OrleansReplica.SnapshotBenchmark;

/// <summary>The keys redis-benchmark's -r option produces ("key:" and 12 zero-padded digits) and its "x" values.</summary>
internal static class KeyFormat
{
    public const int KeyLength = 16;

    /// <summary>Where the key starts in "*N\r\n$3\r\nGET\r\n$16\r\n..." (GET and SET alike).</summary>
    public const int CommandKeyOffset = 18;
    private const int DigitsOffset = 4;

    /// <summary>Writes "key:" followed by <paramref name="index"/> as 12 zero-padded digits.</summary>
    public static void WriteKey(Span<byte> destination, long index)
    {
        "key:"u8.CopyTo(destination);
        for (int i = KeyLength - 1; i >= DigitsOffset; i--)
        {
            destination[i] = (byte)('0' + (int)(index % 10));
            index /= 10;
        }
    }

    /// <summary>"SET key:000000000000 value" as a RESP request; the key is at <see cref="CommandKeyOffset"/>.</summary>
    public static byte[] SetCommand(ReadOnlySpan<byte> value)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n${value.Length}\r\n");
        var command = new byte[header.Length + value.Length + 2];
        header.CopyTo(command, 0);
        value.CopyTo(command.AsSpan(header.Length));
        "\r\n"u8.CopyTo(command.AsSpan(header.Length + value.Length));
        return command;
    }
}
