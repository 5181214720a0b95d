namespace OrleansReplica.Protocol.Aof;

/// <summary>
/// A forward-only buffered reader over a stream with C stdio's reading primitives (a peek, fgets,
/// fread) and its end-of-file flag, so the scanner reports exactly what redis-check-aof reports.
/// The buffer is fixed: AOFs of any size are read in bounded memory.
/// </summary>
internal sealed class AofInput(int bufferSize)
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private Stream _stream = Stream.Null;
    private int _start;
    private int _end;

    /// <summary>Offset of the next byte.</summary>
    public long Position { get; private set; }

    /// <summary>A read ran into the end of the data (C's feof).</summary>
    public bool EndReached { get; private set; }

    public void Reset(Stream stream, long position)
    {
        _stream = stream;
        _start = 0;
        _end = 0;
        Position = position;
        EndReached = false;
    }

    /// <summary>The next byte without consuming it; -1 at the end.</summary>
    public int Peek() => Fill() ? _buffer[_start] : -1;

    /// <summary>
    /// fgets: copies bytes up to and including the next '\n', at most <c>line.Length - 1</c> of them,
    /// then a NUL; bytes of <paramref name="line"/> after the NUL keep what earlier reads left there.
    /// Returns the count copied; 0 means the data had already ended (and <paramref name="line"/> is untouched).
    /// </summary>
    public int ReadLine(Span<byte> line)
    {
        var count = 0;
        var max = line.Length - 1;
        while (count < max && Fill())
        {
            var available = _buffer.AsSpan(_start, Math.Min(_end - _start, max - count));
            var newline = available.IndexOf((byte)'\n');
            var take = newline >= 0 ? newline + 1 : available.Length;
            available[..take].CopyTo(line[count..]);
            count += take;
            Consume(take);
            if (newline >= 0)
            {
                break;
            }
        }
        if (count > 0)
        {
            line[count] = 0;
        }
        return count;
    }

    /// <summary>fread into <paramref name="destination"/>; returns how many bytes there were.</summary>
    public int Read(Span<byte> destination)
    {
        var count = 0;
        while (count < destination.Length && Fill())
        {
            var take = Math.Min(_end - _start, destination.Length - count);
            _buffer.AsSpan(_start, take).CopyTo(destination[count..]);
            count += take;
            Consume(take);
        }
        return count;
    }

    /// <summary>fread of <paramref name="count"/> bytes that are not kept (a long argument); returns how many there were.</summary>
    public long Skip(long count)
    {
        long skipped = 0;
        while (skipped < count && Fill())
        {
            var take = (int)Math.Min(_end - _start, count - skipped);
            skipped += take;
            Consume(take);
        }
        return skipped;
    }

    private void Consume(int count)
    {
        _start += count;
        Position += count;
    }

    private bool Fill()
    {
        if (_start < _end)
        {
            return true;
        }
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        if (_end <= 0)
        {
            _end = 0;
            EndReached = true;
            return false;
        }
        return true;
    }
}
