using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

public sealed class Crc64Tests
{
    [Fact]
    public void Check_value_of_123456789_is_redis_crc64()
    {
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Update(0, "123456789"u8));
    }

    [Fact]
    public void Empty_input_leaves_the_crc_unchanged()
    {
        Assert.Equal(0UL, Crc64.Update(0, []));
        Assert.Equal(0x1234UL, Crc64.Update(0x1234, []));
    }

    [Fact]
    public void Sliced_tables_agree_with_the_bitwise_definition_for_every_split()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var expected = Bitwise(data);
        Assert.Equal(expected, Crc64.Update(0, data));
        foreach (var split in new[] { 1, 3, 7, 8, 9, 63, 500, 999 })
        {
            Assert.Equal(expected, Crc64.Update(Crc64.Update(0, data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Matches_the_checksum_redis_wrote_in_a_dump()
    {
        // A dump saved by redis-server 7.0.15 (aux fields, one db, a string, an int, a list, an expire).
        var file = Convert.FromHexString(
            "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65" +
            "c28350016bfa08757365642d6d656dc250b70e00fa08616f662d62617365c000fe00fb0401fc950924fda101000000016501" +
            "7600016ec1393012016c010210100000000300816102816202816302ff0003666f6f03626172ffe3170286b2c0e50b");
        var body = file.AsSpan(0, file.Length - 8);
        Assert.Equal(BitConverter.ToUInt64(file, file.Length - 8), Crc64.Update(0, body));
        Assert.Equal("REDIS0010", Encoding.ASCII.GetString(file, 0, 9));
    }

    // The definition: reflected CRC-64 with the Jones polynomial, one bit at a time.
    private static ulong Bitwise(ReadOnlySpan<byte> data)
    {
        ulong crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95AC9329AC4BC9B5UL : crc >> 1;
            }
        }
        return crc;
    }
}
