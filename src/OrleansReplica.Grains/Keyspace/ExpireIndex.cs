namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// The keys that carry an expire time, with O(1) lookup, removal and random sampling,
/// so the active expiry cycle can sample keys as Redis samples its expires dictionary.
/// </summary>
public sealed class ExpireIndex
{
    private readonly Dictionary<byte[], int> _positions = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private byte[][] _keys = new byte[16][];
    private long[] _times = new long[16];

    public ExpireIndex()
    {
        _bySpan = _positions.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _positions.Count;

    public bool TryGet(ReadOnlySpan<byte> key, out long expiresAtMs)
    {
        if (_positions.Count != 0 && _bySpan.TryGetValue(key, out var position))
        {
            expiresAtMs = _times[position];
            return true;
        }
        expiresAtMs = -1;
        return false;
    }

    /// <summary>Sets the expire of <paramref name="key"/>, which must be the dictionary's own key instance.</summary>
    public void Set(byte[] key, long expiresAtMs)
    {
        if (_positions.TryGetValue(key, out var position))
        {
            _times[position] = expiresAtMs;
            return;
        }
        position = _positions.Count;
        if (position == _keys.Length)
        {
            Array.Resize(ref _keys, position * 2);
            Array.Resize(ref _times, position * 2);
        }
        _keys[position] = key;
        _times[position] = expiresAtMs;
        _positions.Add(key, position);
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        if (_positions.Count == 0 || !_bySpan.Remove(key, out _, out var position))
        {
            return false;
        }
        var last = _positions.Count;
        if (position != last)
        {
            // Move the last entry into the hole so positions stay dense for sampling.
            _keys[position] = _keys[last];
            _times[position] = _times[last];
            _positions[_keys[position]] = position;
        }
        _keys[last] = null!;
        return true;
    }

    public void Clear()
    {
        _positions.Clear();
        Array.Clear(_keys);
    }

    /// <summary>The entry at a dense position in [0, Count), for random sampling.</summary>
    public (byte[] Key, long ExpiresAtMs) At(int position) => (_keys[position], _times[position]);
}
