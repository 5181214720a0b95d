using System.Buffers;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>
/// The raw keys a shard saved for a snapshot that its walker has not taken yet, in pooled segments.
/// Writes to a shard whose walk has not started save megabytes of keys under a write load; one
/// growing buffer put each of its doublings on the large object heap, and those allocations set
/// off a gen2 collection every few snapshots (a pause of the connections' thread).
/// </summary>
internal sealed class SavedKeySegments
{
    // Below the large object heap's threshold (85 000 bytes), and a power of two, as the pool sizes its arrays.
    private const int SegmentBytes = 16 * 1024;

    private readonly Queue<(byte[] Buffer, int Length)> _filled = new();
    private byte[]? _current;
    private int _currentLength;

    /// <summary>Bytes saved and not taken.</summary>
    public int Bytes { get; private set; }

    /// <summary>Room for at least <paramref name="sizeHint"/> bytes; a key larger than a segment gets one of its own.</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        if (_current is null || _current.Length - _currentLength < sizeHint)
        {
            if (_current is not null && _currentLength != 0)
            {
                _filled.Enqueue((_current, _currentLength));
            }
            else if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
            }
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(SegmentBytes, sizeHint));
            _currentLength = 0;
        }
        return _current.AsSpan(_currentLength);
    }

    public void Advance(int count)
    {
        _currentLength += count;
        Bytes += count;
    }

    /// <summary>The oldest segment, as a pooled array the caller returns (empty when nothing is saved).</summary>
    public (byte[] Buffer, int Length) Take()
    {
        if (!_filled.TryDequeue(out var segment))
        {
            segment = (_current ?? ArrayPool<byte>.Shared.Rent(SegmentBytes), _currentLength);
            _current = null;
            _currentLength = 0;
        }
        Bytes -= segment.Length;
        return segment;
    }

    /// <summary>Gives every segment back to the pool (the snapshot was abandoned).</summary>
    public void Clear()
    {
        while (_filled.TryDequeue(out var segment))
        {
            ArrayPool<byte>.Shared.Return(segment.Buffer);
        }
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }
        _current = null;
        _currentLength = 0;
        Bytes = 0;
    }
}
