namespace OrleansReplica.ReplicationBenchmark;

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
}
