using System.Buffers;

namespace OrleansReplica.Protocol.Tests.Support;

/// <summary>Builds multi-segment sequences from chunks, as a pipe hands out received data.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Of(params byte[][] chunks)
    {
        if (chunks.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(chunks[0], 0);
        var last = first;
        for (int i = 1; i < chunks.Length; i++)
        {
            last = last.Append(chunks[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Splits <paramref name="bytes"/> at the given offsets.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] bytes, params int[] offsets)
    {
        var chunks = new List<byte[]>();
        int start = 0;
        foreach (int offset in offsets.Append(bytes.Length))
        {
            chunks.Add(bytes[start..offset]);
            start = offset;
        }

        return Of([.. chunks]);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        bytes.Length == 0 ? ReadOnlySequence<byte>.Empty : SplitAt(bytes, [.. Enumerable.Range(1, bytes.Length - 1)]);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
