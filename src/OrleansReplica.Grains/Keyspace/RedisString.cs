using System.Runtime.CompilerServices;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>How a string value is held, named as OBJECT ENCODING names it.</summary>
public enum StringEncoding
{
    Int,
    Embstr,
    Raw,
}

/// <summary>A string value: a 64-bit integer when the text is one, otherwise bytes with spare capacity for APPEND.</summary>
public sealed class RedisString : RedisValue
{
    // Redis keeps strings up to this length in one allocation with the object header.
    private const int EmbstrLimit = 44;
    private const int MaxIntegerTextLength = 20;

    private byte[] _bytes = [];
    private int _length;
    private long _integer;

    private RedisString() { }

    public override RedisType Type => RedisType.String;

    public StringEncoding Encoding { get; private set; }

    public override string EncodingName => Encoding switch
    {
        StringEncoding.Int => "int",
        StringEncoding.Embstr => "embstr",
        _ => "raw",
    };

    public bool IsInteger => Encoding == StringEncoding.Int;

    /// <summary>The integer value; valid only when <see cref="IsInteger"/>.</summary>
    public long Integer => _integer;

    /// <summary>Length of the value's text.</summary>
    public int Length => IsInteger ? IntegerTextLength(_integer) : _length;

    /// <summary>A string as SET stores it: integer-encoded when the text is a canonical integer.</summary>
    public static RedisString Create(ReadOnlySpan<byte> value)
    {
        var s = new RedisString();
        s.Assign(value);
        return s;
    }

    public static RedisString FromInteger(long value) => new() { _integer = value, Encoding = StringEncoding.Int };

    /// <summary>A string kept as bytes even if it looks like an integer (as Redis does for some write paths).</summary>
    public static RedisString CreateRaw(ReadOnlySpan<byte> value)
    {
        var s = new RedisString { _bytes = value.ToArray(), _length = value.Length };
        s.Encoding = value.Length <= EmbstrLimit ? StringEncoding.Embstr : StringEncoding.Raw;
        return s;
    }

    /// <summary>Replaces the value in place (reusing the buffer when it fits), choosing the encoding as SET does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Assign(ReadOnlySpan<byte> value)
    {
        if (value.Length <= MaxIntegerTextLength && RedisNumber.TryParseInt64(value, out var n))
        {
            _integer = n;
            _length = 0;
            Encoding = StringEncoding.Int;
            return;
        }
        if (_bytes.Length < value.Length || _bytes.Length > value.Length * 2 + 64)
        {
            _bytes = new byte[value.Length];
        }
        value.CopyTo(_bytes);
        _length = value.Length;
        Encoding = value.Length <= EmbstrLimit ? StringEncoding.Embstr : StringEncoding.Raw;
    }

    public void SetInteger(long value)
    {
        _integer = value;
        _length = 0;
        Encoding = StringEncoding.Int;
    }

    /// <summary>The value's bytes; integers are formatted into <paramref name="scratch"/> (at least 20 bytes).</summary>
    public ReadOnlySpan<byte> GetBytes(Span<byte> scratch)
    {
        if (!IsInteger)
        {
            return _bytes.AsSpan(0, _length);
        }
        var written = RedisNumber.FormatInt64(_integer, scratch);
        return scratch[..written];
    }

    /// <summary>The value's bytes as a new array.</summary>
    public byte[] ToArray()
    {
        Span<byte> scratch = stackalloc byte[24];
        return GetBytes(scratch).ToArray();
    }

    /// <summary>Appends bytes; the value becomes raw, growing its buffer geometrically as sds does.</summary>
    public void Append(ReadOnlySpan<byte> suffix)
    {
        var buffer = MakeRaw(Length + suffix.Length);
        suffix.CopyTo(buffer.AsSpan(_length));
        _length += suffix.Length;
    }

    /// <summary>A writable view of at least <paramref name="length"/> bytes, zero-padded, converting to raw (SETRANGE, SETBIT).</summary>
    public Span<byte> GetWritableBytes(int length)
    {
        MakeRaw(Math.Max(length, Length));
        if (length > _length)
        {
            _bytes.AsSpan(_length, length - _length).Clear();
            _length = length;
        }
        return _bytes.AsSpan(0, _length);
    }

    public override RedisValue Clone()
    {
        if (IsInteger)
        {
            return FromInteger(_integer);
        }
        return new RedisString { _bytes = _bytes.AsSpan(0, _length).ToArray(), _length = _length, Encoding = Encoding };
    }

    private byte[] MakeRaw(int capacity)
    {
        if (IsInteger)
        {
            Span<byte> scratch = stackalloc byte[24];
            var text = GetBytes(scratch);
            var bytes = new byte[Math.Max(capacity, text.Length)];
            text.CopyTo(bytes);
            _bytes = bytes;
            _length = text.Length;
        }
        else if (_bytes.Length < capacity)
        {
            // Below 1 MB double, above grow by 1 MB, as sds does for appends.
            var grown = capacity < 1024 * 1024 ? capacity * 2 : capacity + 1024 * 1024;
            Array.Resize(ref _bytes, grown);
        }
        Encoding = StringEncoding.Raw;
        return _bytes;
    }

    private static int IntegerTextLength(long value)
    {
        Span<byte> scratch = stackalloc byte[24];
        return RedisNumber.FormatInt64(value, scratch);
    }
}
