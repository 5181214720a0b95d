namespace OrleansReplica.Protocol.Resp;

/// <summary>The arguments of one parsed request, as slices of the bytes it arrived in (valid until the instance is reused or the source buffer is released).</summary>
public sealed class CommandArguments
{
    private const int InitialCapacity = 16;

    // Beyond this a copy buffer kept after a huge request is dropped, so one big request does not pin memory forever.
    private const int RetainedCopyLimit = 1024 * 1024;

    private (int Start, int Length)[] _ranges = new (int, int)[InitialCapacity];
    private int _building;
    private ReadOnlyMemory<byte> _frame;
    private ReadOnlyMemory<byte> _argumentSource;
    private byte[] _frameCopy = [];
    private byte[] _unescaped = [];

    /// <summary>Number of arguments; 0 for an empty request.</summary>
    public int Count { get; private set; }

    /// <summary>The request came as an inline (telnet) command.</summary>
    public bool IsInline { get; private set; }

    /// <summary>The exact bytes of the whole request frame as received.</summary>
    public ReadOnlySpan<byte> RawFrame => _frame.Span;

    /// <summary>The exact bytes of the whole request frame as received.</summary>
    public ReadOnlyMemory<byte> RawFrameMemory => _frame;

    /// <summary>One argument.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            var (start, length) = Range(index);
            return _argumentSource.Span.Slice(start, length);
        }
    }

    /// <summary>One argument, for callers that must keep it beyond a synchronous scope (still only valid as long as the source).</summary>
    public ReadOnlyMemory<byte> GetMemory(int index)
    {
        var (start, length) = Range(index);
        return _argumentSource.Slice(start, length);
    }

    internal int PendingCount => _building;

    internal void Clear()
    {
        _building = 0;
        Count = 0;
        IsInline = false;
        _frame = default;
        _argumentSource = default;
    }

    internal void Add(int start, int length)
    {
        if (_building == _ranges.Length)
        {
            Array.Resize(ref _ranges, _ranges.Length * 2);
        }

        _ranges[_building++] = (start, length);
    }

    /// <summary>Publishes the arguments gathered so far: ranges index <paramref name="argumentSource"/>, the frame is <paramref name="frame"/>.</summary>
    internal void Complete(ReadOnlyMemory<byte> frame, ReadOnlyMemory<byte> argumentSource, bool inline)
    {
        _frame = frame;
        _argumentSource = argumentSource;
        IsInline = inline;
        Count = _building;
    }

    /// <summary>A reusable contiguous buffer for a frame that arrived in several segments.</summary>
    internal byte[] GetFrameCopyBuffer(int length)
    {
        if (_frameCopy.Length < length || (_frameCopy.Length > RetainedCopyLimit && length <= RetainedCopyLimit / 16))
        {
            _frameCopy = GC.AllocateUninitializedArray<byte>(Math.Max(length, 256));
        }

        return _frameCopy;
    }

    /// <summary>A reusable buffer that receives the unescaped arguments of a quoted inline request.</summary>
    internal byte[] GetUnescapeBuffer(int length)
    {
        if (_unescaped.Length < length || (_unescaped.Length > RetainedCopyLimit && length <= RetainedCopyLimit / 16))
        {
            _unescaped = GC.AllocateUninitializedArray<byte>(Math.Max(length, 256));
        }

        return _unescaped;
    }

    private (int Start, int Length) Range(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return _ranges[index];
    }
}
