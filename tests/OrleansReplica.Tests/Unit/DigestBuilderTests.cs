using System.Text;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// DEBUG DIGEST and DEBUG DIGEST-VALUE; every expected digest was returned by redis-server 7.0.15
/// for the same dataset.
/// </summary>
public sealed class DigestBuilderTests
{
    private const string Zeros = "0000000000000000000000000000000000000000";

    [Fact]
    public void Digests_an_empty_dataset_as_zeros()
    {
        Assert.Equal(Zeros, new DigestBuilder().ToHex());
        Assert.Equal(Zeros, new ValueDigest().ToHex());
    }

    [Fact]
    public void Digests_one_string_key()
    {
        var builder = new DigestBuilder();
        builder.BeginDatabase(0);
        builder.AddStringKey("foo"u8, "bar"u8, hasExpire: false);
        Assert.Equal("d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a", builder.ToHex());
    }

    [Fact]
    public void Mixes_database_ids_and_expires_but_not_key_order()
    {
        // SET foo bar; SET n 123 (int-encoded); EXPIRE n 1000; SELECT 3; SET k3 v
        Assert.Equal("926e17a5b475feb8c9fd152c4b9f45fc204418fd", Digest(reverse: false));
        Assert.Equal("926e17a5b475feb8c9fd152c4b9f45fc204418fd", Digest(reverse: true));

        static string Digest(bool reverse)
        {
            var builder = new DigestBuilder();
            builder.BeginDatabase(0);
            if (reverse)
            {
                builder.AddStringKey("n"u8, "123"u8, hasExpire: true);
                builder.AddStringKey("foo"u8, "bar"u8, hasExpire: false);
            }
            else
            {
                builder.AddStringKey("foo"u8, "bar"u8, hasExpire: false);
                builder.AddStringKey("n"u8, "123"u8, hasExpire: true);
            }

            builder.BeginDatabase(3);
            builder.AddStringKey("k3"u8, "v"u8, hasExpire: false);
            return builder.ToHex();
        }
    }

    [Fact]
    public void Digests_string_values_with_their_expire_marker()
    {
        Assert.Equal("68467c70ae30376e7ce005bcc8827f5ba7fd67dc", DigestBuilder.ValueDigestOfString("bar"u8));
        Assert.Equal("6f720be4ac4df2a2a7c35fa640511a20a52ceda8", DigestBuilder.ValueDigestOfString("123"u8, hasExpire: true));
        Assert.Equal("8589f5856a3b2ddebc0cace3ee67da60886c3dc6", DigestBuilder.ValueDigestOfString(Encoding.ASCII.GetBytes(new string('x', 100_000))));
        Assert.Equal("ce70a5674f228eaf3e2c2d01f6152e36f7e792a7", DigestBuilder.ValueDigestOfString("-42"u8));
        Assert.Equal("a1074fe106dbfdd0a16a345b5f8b79dad67237d3", DigestBuilder.ValueDigestOfString("3.14"u8));
    }

    [Fact]
    public void Digests_many_keys_in_several_databases()
    {
        // db 0: key:i = value:i for i < 100, PEXPIRE on every 7th; db 1: "" = ""; db 15: binary and large values.
        var builder = new DigestBuilder();
        builder.BeginDatabase(0);
        for (var i = 0; i < 100; i++)
        {
            builder.AddStringKey(Encoding.ASCII.GetBytes($"key:{i}"), Encoding.ASCII.GetBytes($"value:{i}"), hasExpire: i % 7 == 0);
        }

        builder.BeginDatabase(1);
        builder.AddStringKey(""u8, ""u8, hasExpire: false);
        builder.BeginDatabase(15);
        builder.AddStringKey([0x00, 0xFF], "\r\n"u8, hasExpire: false);
        builder.AddStringKey("big"u8, Encoding.ASCII.GetBytes(new string('x', 100_000)), hasExpire: false);
        builder.AddStringKey("neg"u8, "-42"u8, hasExpire: false);
        builder.AddStringKey("f"u8, "3.14"u8, hasExpire: false);
        Assert.Equal("773028587263dc1df853153ab254132ee198989a", builder.ToHex());
    }

    [Fact]
    public void Digests_every_value_type_like_debug_digest_value()
    {
        Assert.Equal("5c9b3c1ca7a795ed1dc3502c89c497202868ca44", ValueHex(List, hasExpire: true));
        Assert.Equal("aad970a1677a4ed597aedca8f2c37061d5e2e7a1", ValueHex(IntSet));
        Assert.Equal("4089b4b256aca19cd2ffc30ce57a557614813313", ValueHex(StringSet));
        Assert.Equal("2a462a3f51a1db89738ebbeef0c47ce1bbc85246", ValueHex(Set("3", "1", "2")));
        Assert.Equal("8e8dfa6efed8df2c5a7221a2a1a67134898ca553", ValueHex(ListpackZSet));
        Assert.Equal("665fb84e80b6266b188a4a698650eee104bfe880", ValueHex(SkiplistZSet));
        Assert.Equal("235d1adae2e07e175c9cb56efb4596da2745195a", ValueHex(ListpackHash));
        Assert.Equal("8530acc75d5274eb0fc0da86f28ed5533274a6d4", ValueHex(Hash(("g", "12"), ("f", "v"))));
        Assert.Equal("a21297e0b021bbc1300919f277c82e75bb12c16c", ValueHex(Stream));
        Assert.Equal("06bd01623de1d087bbd377851096317b1af476a2", ValueHex(EmptyStream));
        Assert.Equal("755937e4fb70ff1361daf04304a902322ba80df8", ValueHex(Plain, hasExpire: true));
    }

    [Fact]
    public void Digests_a_dataset_of_every_type()
    {
        // The keys above, all in database 2; l and s have a TTL.
        var builder = new DigestBuilder();
        builder.BeginDatabase(2);
        AddKey(builder, "l", List, hasExpire: true);
        AddKey(builder, "si", IntSet);
        AddKey(builder, "sh", StringSet);
        AddKey(builder, "zl", ListpackZSet);
        AddKey(builder, "hl", ListpackHash);
        AddKey(builder, "st", Stream);
        AddKey(builder, "s", Plain, hasExpire: true);
        AddKey(builder, "zs", SkiplistZSet);
        AddKey(builder, "hh", Hash(("f", "v"), ("g", "12")));
        AddKey(builder, "sih", Set("1", "2", "3"));
        AddKey(builder, "empty_st", EmptyStream);
        Assert.Equal("e14bcae74e41281b06bfe02617606eca420f8319", builder.ToHex());
    }

    [Fact]
    public void Rejects_unbalanced_key_calls()
    {
        var builder = new DigestBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.EndKey(hasExpire: false));
        builder.BeginKey("a"u8, RedisType.String);
        Assert.Throws<InvalidOperationException>(() => builder.BeginKey("b"u8, RedisType.String));
    }

    /// <summary>A value: its type and the elements fed after BeginValue.</summary>
    private sealed record Value(RedisType Type, Action<ValueDigest> Fill);

    // SET s plain
    private static readonly Value Plain = new(RedisType.String, v => v.AddString("plain"u8));

    // RPUSH l a b 1 c -7 a
    private static readonly Value List = new(RedisType.List, v =>
    {
        foreach (var element in new[] { "a", "b", "1", "c", "-7", "a" })
        {
            v.AddListElement(Encoding.ASCII.GetBytes(element));
        }
    });

    // SADD si 1 2 3 -100 (intset); SADD sh x y 5 "" (hashtable)
    private static readonly Value IntSet = Set("1", "2", "3", "-100");
    private static readonly Value StringSet = Set("x", "y", "5", "");

    // ZADD zl 1.1 a 2 b -3.5e10 c inf d -inf e 0.1 12
    private static readonly Value ListpackZSet = new(RedisType.ZSet, v =>
    {
        v.AddZSetMember("a"u8, 1.1);
        v.AddZSetMember("b"u8, 2);
        v.AddZSetMember("c"u8, -3.5e10);
        v.AddZSetMember("d"u8, double.PositiveInfinity);
        v.AddZSetMember("e"u8, double.NegativeInfinity);
        v.AddZSetMember("12"u8, 0.1);
    });

    // ZADD zs 1.1 a 2 b -0 z 1e20 big 1e-5 small 123456789012345678 m, skiplist-encoded (which keeps -0)
    private static readonly Value SkiplistZSet = new(RedisType.ZSet, v =>
    {
        v.AddZSetMember("small"u8, 1e-5);
        v.AddZSetMember("z"u8, -0.0);
        v.AddZSetMember("a"u8, 1.1);
        v.AddZSetMember("b"u8, 2);
        v.AddZSetMember("big"u8, 1e20);
        v.AddZSetMember("m"u8, 123456789012345678);
    });

    // HSET hl f v g 12 "" ""
    private static readonly Value ListpackHash = Hash(("f", "v"), ("g", "12"), ("", ""));

    // XADD st 5-1 a 1 b 2; XADD st 6-0 c 3; XADD st 7-3 d 4; XDEL st 6-0; XGROUP CREATE st g 0
    private static readonly Value Stream = new(RedisType.Stream, v =>
    {
        v.AddStreamEntryId(5, 1);
        v.AddStreamField("a"u8, "1"u8);
        v.AddStreamField("b"u8, "2"u8);
        v.AddStreamEntryId(7, 3);
        v.AddStreamField("d"u8, "4"u8);
    });

    // XADD empty_st 1-1 a b; XDEL empty_st 1-1
    private static readonly Value EmptyStream = new(RedisType.Stream, _ => { });

    private static Value Set(params string[] members) => new(RedisType.Set, v =>
    {
        foreach (var member in members)
        {
            v.AddSetMember(Encoding.ASCII.GetBytes(member));
        }
    });

    private static Value Hash(params (string Field, string Value)[] fields) => new(RedisType.Hash, v =>
    {
        foreach (var (field, value) in fields)
        {
            v.AddHashField(Encoding.ASCII.GetBytes(field), Encoding.ASCII.GetBytes(value));
        }
    });

    private static string ValueHex(Value value, bool hasExpire = false)
    {
        var digest = new ValueDigest();
        digest.BeginValue(value.Type);
        value.Fill(digest);
        digest.EndValue(hasExpire);
        return digest.ToHex();
    }

    private static void AddKey(DigestBuilder builder, string key, Value value, bool hasExpire = false)
    {
        value.Fill(builder.BeginKey(Encoding.ASCII.GetBytes(key), value.Type));
        builder.EndKey(hasExpire);
    }
}
