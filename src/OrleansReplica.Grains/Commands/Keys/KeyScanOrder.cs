using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>
/// The keys of one database part, taken at some moment and sorted by a fixed hash of each key.
/// SCAN walks it in hash order: a key present throughout an iteration is in every order taken
/// during it and keeps its hash, so it is never skipped, whatever was added or removed meanwhile.
/// </summary>
public sealed class KeyScanOrder
{
    private readonly uint[] _hashes;
    private readonly byte[][] _keys;

    private KeyScanOrder(uint[] hashes, byte[][] keys, long keysAdded)
    {
        _hashes = hashes;
        _keys = keys;
        KeysAdded = keysAdded;
    }

    /// <summary>The database's <see cref="Database.KeysAdded"/> when this order was taken.</summary>
    public long KeysAdded { get; }

    public int Count => _keys.Length;

    public uint HashAt(int index) => _hashes[index];

    public byte[] KeyAt(int index) => _keys[index];

    public static KeyScanOrder Of(Database database)
    {
        var count = database.Count;
        var hashes = new uint[count];
        var keys = new byte[count][];
        var i = 0;
        foreach (var key in database.Entries.Keys)
        {
            hashes[i] = Hash(key);
            keys[i] = key;
            i++;
        }
        Array.Sort(hashes, keys);
        return new KeyScanOrder(hashes, keys, database.KeysAdded);
    }

    /// <summary>The first position whose hash is at least <paramref name="hash"/> (Count when none).</summary>
    public int LowerBound(ulong hash)
    {
        if (hash > uint.MaxValue)
        {
            return _hashes.Length;
        }
        int low = 0, high = _hashes.Length;
        while (low < high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (_hashes[mid] < hash)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /// <summary>A hash that depends on the key's bytes only, so cursors stay meaningful across rebuilds and restarts.</summary>
    public static uint Hash(ReadOnlySpan<byte> key)
    {
        // FNV-1a, then a final avalanche so that keys differing only at the end spread over the range.
        var hash = 2166136261u;
        foreach (var b in key)
        {
            hash = (hash ^ b) * 16777619u;
        }
        hash ^= hash >> 16;
        hash *= 0x85EBCA6Bu;
        hash ^= hash >> 13;
        hash *= 0xC2B2AE35u;
        hash ^= hash >> 16;
        return hash;
    }
}
