using System.Text;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Tests.Unit;

/// <summary>Key slots as CLUSTER KEYSLOT answers on a cluster-mode redis-server 7.0.15 (keys as Latin-1 bytes).</summary>
public sealed class HashSlotTests
{
    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("somekey", 11058)]
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("bar{hash_tag}", 2515)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("{bar", 4015)]
    [InlineData("foo{bar}{zap}", 5061)]
    [InlineData("bar", 5061)]
    [InlineData("", 0)]
    [InlineData("{}", 15257)]
    [InlineData("}{", 12793)]
    [InlineData("{a}", 15495)]
    [InlineData("a", 15495)]
    [InlineData("key:1", 6657)]
    [InlineData("\u00ff\u0000\u0080", 7915)]
    [InlineData("user:1000", 1649)]
    [InlineData("{", 4092)]
    [InlineData("}", 12090)]
    [InlineData("123456789", 12739)]
    [InlineData("{}a{b}", 16175)]
    [InlineData("a{b}c{d}", 3300)]
    [InlineData("\u00ff{y", 13438)]
    [InlineData("\u00ff\u0000z{}{\u00ffz", 10624)]
    [InlineData("\u0000{yba{\u0000}xzx", 14776)]
    [InlineData("ax{y\u00ff", 12531)]
    [InlineData("bz{ax", 6396)]
    [InlineData("x\u00ff}axabb", 14772)]
    [InlineData("y{zz\u0000", 4555)]
    [InlineData("x\u00ffx\u00ffya", 5346)]
    [InlineData("yy", 7551)]
    [InlineData("x}y{zbbyy}", 2022)]
    [InlineData("ba\u00ff}y{xyby{z", 14642)]
    [InlineData("zxzzaz{}a\u0000", 8323)]
    [InlineData("}bxb}", 15261)]
    [InlineData("\u00ffzaby{x\u00ff", 8828)]
    [InlineData("}x", 410)]
    [InlineData("yaa{aba", 10086)]
    [InlineData("xyx}yzb{\u00ff", 5966)]
    public void Maps_keys_to_the_slots_redis_cluster_uses(string key, int slot)
    {
        Assert.Equal(slot, HashSlot.Of(Encoding.Latin1.GetBytes(key)));
    }

    [Fact]
    public void Computes_crc16_xmodem()
    {
        // The check value of CRC-16/XMODEM, also the Redis Cluster specification's test vector.
        Assert.Equal(0x31C3, HashSlot.Crc16("123456789"u8));
        Assert.Equal(0, HashSlot.Crc16(ReadOnlySpan<byte>.Empty));
    }

    [Theory]
    [InlineData("{user1000}.following", "user1000")]
    [InlineData("foo{}{bar}", "foo{}{bar}")]
    [InlineData("foo{{bar}}zap", "{bar")]
    [InlineData("foo{bar}{zap}", "bar")]
    [InlineData("{", "{")]
    [InlineData("no tag", "no tag")]
    public void Hashes_the_first_non_empty_tag(string key, string hashed)
    {
        Assert.Equal(hashed, Encoding.Latin1.GetString(HashSlot.HashedPart(Encoding.Latin1.GetBytes(key))));
    }

    [Fact]
    public void Colocates_keys_sharing_a_tag()
    {
        Assert.Equal(HashSlot.Of("{user1000}.following"u8), HashSlot.Of("{user1000}.followers"u8));
        Assert.Equal(HashSlot.Of("bar"u8), HashSlot.Of("foo{bar}{zap}"u8));
        Assert.NotEqual(HashSlot.Of("bar"u8), HashSlot.Of("foo{}{bar}"u8));
    }

    [Fact]
    public void Stays_within_the_slot_range_without_allocating()
    {
        var key = "{user1000}.following"u8.ToArray();
        HashSlot.Of(key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var slot = 0;
        for (var i = 0; i < 100; i++)
        {
            slot = HashSlot.Of(key);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.InRange(slot, 0, HashSlot.Count - 1);
    }

    [Fact]
    public void Crc16_of_any_length_matches_the_byte_at_a_time_definition()
    {
        var random = new Random(16);
        for (var length = 0; length <= 100; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var expected = 0;
            foreach (var b in data)
            {
                expected ^= b << 8;
                for (var bit = 0; bit < 8; bit++)
                {
                    expected = (expected & 0x8000) != 0 ? ((expected << 1) ^ 0x1021) & 0xFFFF : (expected << 1) & 0xFFFF;
                }
            }
            Assert.Equal((ushort)expected, HashSlot.Crc16(data));
        }
    }
}
