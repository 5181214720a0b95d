using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// Computes DEBUG DIGEST exactly as Redis 7.0 does, so a replica's digest can be compared with a
/// real Redis master's. Create one per computation; feed non-empty databases in ascending order.
/// </summary>
/// <remarks>
/// The dataset digest starts at 20 zero bytes. Per database: mix(db index as 4 big-endian bytes);
/// then for every key, in any order: final ^= SHA1(key digest), where the key digest is built in a
/// <see cref="ValueDigest"/> starting from zero with mix(key name) and then the value.
/// mix(d, x) means d = SHA1(d ^ SHA1(x)) (order-sensitive); xor(d, x) means d ^= SHA1(x) (order-free).
/// </remarks>
public sealed class DigestBuilder
{
    private readonly byte[] _final = new byte[ValueDigest.Length];
    private readonly ValueDigest _key = new();
    private bool _inKey;

    /// <summary>Starts a database; call only for databases that hold keys, in ascending order.</summary>
    public void BeginDatabase(int dbIndex)
    {
        Span<byte> id = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(id, dbIndex);
        ValueDigest.Mix(_final, id);
    }

    /// <summary>
    /// Starts a key of the given type and returns the accumulator to feed its value into
    /// (see <see cref="ValueDigest"/>'s Add methods); finish with <see cref="EndKey"/>.
    /// </summary>
    public ValueDigest BeginKey(ReadOnlySpan<byte> key, RedisType type)
    {
        if (_inKey)
        {
            throw new InvalidOperationException("The previous key was not ended.");
        }

        _inKey = true;
        _key.Reset();
        _key.MixRaw(key);
        _key.BeginValue(type);
        return _key;
    }

    /// <summary>Finishes the key started by <see cref="BeginKey"/> and folds it into the dataset digest.</summary>
    public void EndKey(bool hasExpire)
    {
        if (!_inKey)
        {
            throw new InvalidOperationException("No key was started.");
        }

        _inKey = false;
        _key.EndValue(hasExpire);
        ValueDigest.Xor(_final, _key.Bytes);
    }

    /// <summary>Adds a string key (its value as text: an integer-encoded value digests as its decimal text).</summary>
    public void AddStringKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasExpire)
    {
        BeginKey(key, RedisType.String).AddString(value);
        EndKey(hasExpire);
    }

    /// <summary>The DEBUG DIGEST reply: 40 lowercase hex digits (all zeros for an empty dataset).</summary>
    public string ToHex() => Convert.ToHexStringLower(_final);

    /// <summary>The DEBUG DIGEST-VALUE reply for a string value.</summary>
    public static string ValueDigestOfString(ReadOnlySpan<byte> value, bool hasExpire = false)
    {
        var digest = new ValueDigest();
        digest.BeginValue(RedisType.String);
        digest.AddString(value);
        digest.EndValue(hasExpire);
        return digest.ToHex();
    }
}

/// <summary>
/// The digest of one value as Redis 7.0's DEBUG DIGEST-VALUE computes it (and, prefixed by the key
/// name, one key's part of DEBUG DIGEST). A fresh or reset instance is the 40-zero digest of a missing key.
/// </summary>
/// <remarks>
/// Order: <see cref="BeginValue"/> (mixes the type code as 4 big-endian bytes), the elements, then
/// <see cref="EndValue"/> (xors in "!!expire!!" when the key has a TTL). Elements are always their
/// text form (integer-encoded ones as decimal): string = mix(value); list = mix(each element, head
/// to tail); set = xor(each member); hash = xor of, per field, the digest mix(mix(0, field), value);
/// zset = the same with (member, score as printf "%.17g"); stream = per entry mix("ms.seq") then
/// mix(field), mix(value) for each field in order (consumer groups are not digested).
/// </remarks>
public sealed class ValueDigest
{
    /// <summary>SHA1 length.</summary>
    public const int Length = 20;

    private readonly byte[] _digest = new byte[Length];

    /// <summary>The 20 digest bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _digest;

    /// <summary>Back to 20 zero bytes.</summary>
    public void Reset() => Array.Clear(_digest);

    /// <summary>Mixes in the value's type; the first step for every value.</summary>
    public void BeginValue(RedisType type)
    {
        Span<byte> code = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(code, (int)type);
        Mix(_digest, code);
    }

    /// <summary>A string value.</summary>
    public void AddString(ReadOnlySpan<byte> value) => Mix(_digest, value);

    /// <summary>The next list element, head to tail.</summary>
    public void AddListElement(ReadOnlySpan<byte> element) => Mix(_digest, element);

    /// <summary>A set member, in any order.</summary>
    public void AddSetMember(ReadOnlySpan<byte> member) => Xor(_digest, member);

    /// <summary>A hash field and its value, in any field order.</summary>
    public void AddHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) => XorPair(field, value);

    /// <summary>A sorted set member and its score, in any order.</summary>
    public void AddZSetMember(ReadOnlySpan<byte> member, double score)
    {
        Span<byte> text = stackalloc byte[RedisNumber.MaxDouble17gLength];
        int length = RedisNumber.FormatDouble17g(score, text);
        XorPair(member, text[..length]);
    }

    /// <summary>Starts the next stream entry (entries in ID order); follow with its fields.</summary>
    public void AddStreamEntryId(ulong milliseconds, ulong sequence)
    {
        Span<byte> text = stackalloc byte[41];
        milliseconds.TryFormat(text, out int at, default, null);
        text[at++] = (byte)'.';
        sequence.TryFormat(text[at..], out int written, default, null);
        Mix(_digest, text[..(at + written)]);
    }

    /// <summary>The next field of the current stream entry, in entry order.</summary>
    public void AddStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        Mix(_digest, field);
        Mix(_digest, value);
    }

    /// <summary>Finishes the value: a key with a TTL differs from the same key without.</summary>
    public void EndValue(bool hasExpire)
    {
        if (hasExpire)
        {
            Xor(_digest, "!!expire!!"u8);
        }
    }

    /// <summary>40 lowercase hex digits, as DEBUG DIGEST-VALUE replies.</summary>
    public string ToHex() => Convert.ToHexStringLower(_digest);

    internal void MixRaw(ReadOnlySpan<byte> data) => Mix(_digest, data);

    /// <summary>digest = SHA1(digest ^ SHA1(data)): order-sensitive accumulation.</summary>
    internal static void Mix(Span<byte> digest, ReadOnlySpan<byte> data)
    {
        Xor(digest, data);
        Span<byte> hash = stackalloc byte[Length];
        SHA1.HashData(digest, hash);
        hash.CopyTo(digest);
    }

    /// <summary>digest ^= SHA1(data): order-free accumulation.</summary>
    internal static void Xor(Span<byte> digest, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Length];
        SHA1.HashData(data, hash);
        for (int i = 0; i < Length; i++)
        {
            digest[i] ^= hash[i];
        }
    }

    private void XorPair(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Span<byte> element = stackalloc byte[Length];
        element.Clear();
        Mix(element, first);
        Mix(element, second);
        Xor(_digest, element);
    }
}
