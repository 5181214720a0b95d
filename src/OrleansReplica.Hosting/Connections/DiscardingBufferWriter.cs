using System.Buffers;

namespace OrleansReplica.Hosting.Connections;

/// <summary>A buffer writer whose bytes go nowhere: the replies of a connection nobody reads replies on (a replica's link to us).</summary>
public sealed class DiscardingBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[4096];

    public void Advance(int count)
    {
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).Span;

    private Memory<byte> Ensure(int sizeHint)
    {
        if (sizeHint > _buffer.Length)
        {
            _buffer = new byte[sizeHint];
        }
        return _buffer;
    }
}
