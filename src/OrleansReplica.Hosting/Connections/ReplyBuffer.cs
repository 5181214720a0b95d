using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace OrleansReplica.Hosting.Connections;

/// <summary>
/// A connection's replies of one batch, written into a piece of its output pipe and handed to the pipe
/// at once by <see cref="Commit"/>: every small write to the pipe itself takes the pipe's lock.
/// </summary>
public sealed class ReplyBuffer(PipeWriter pipe) : IBufferWriter<byte>
{
    // The piece asked of the pipe: one of its blocks, room for a batch of small replies.
    private const int PieceSize = 4096;

    private Memory<byte> _piece;
    private byte[]? _array;
    private int _arrayStart;
    private int _written;
    private bool _detached;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _piece.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the span handed out.");
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _piece[_written..];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array is not null
            ? _array.AsSpan(_arrayStart + _written, _piece.Length - _written)
            : _piece.Span[_written..];
    }

    /// <summary>Hands the bytes written so far to the pipe: before it is flushed, or written to directly.</summary>
    public void Commit()
    {
        if (_written != 0)
        {
            pipe.Advance(_written);
        }
        _written = 0;
        _piece = default;
        _array = null;
    }

    /// <summary>Commits and gives up the pipe (a replica's sender takes the connection's output over).</summary>
    public PipeWriter Detach()
    {
        Commit();
        _detached = true;
        return pipe;
    }

    private void Ensure(int sizeHint)
    {
        if (_piece.Length - _written >= Math.Max(sizeHint, 1))
        {
            return;
        }
        ObjectDisposedException.ThrowIf(_detached, this);
        Commit();
        _piece = pipe.GetMemory(Math.Max(sizeHint, PieceSize));
        if (MemoryMarshal.TryGetArray<byte>(_piece, out var segment))
        {
            _array = segment.Array;
            _arrayStart = segment.Offset;
        }
    }
}
