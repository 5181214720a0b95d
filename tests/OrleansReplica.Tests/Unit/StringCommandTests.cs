using OrleansReplica.Grains.Commands.Strings;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// String and bitmap command behaviour the differential scripts cannot reach: keys of another type,
/// expire bookkeeping, the dirty counter, and allocation-free hot paths.
/// </summary>
public class StringCommandTests
{
    private const long Now = 1_700_000_000_000;
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    private readonly CommandRunner _run = new(1, Now, StringCommands.Register, BitCommands.Register);

    [Theory]
    [InlineData("get l")]
    [InlineData("set l v get")]
    [InlineData("set l v nx get")]
    [InlineData("getset l v")]
    [InlineData("getdel l")]
    [InlineData("getex l")]
    [InlineData("getex l ex -1")]
    [InlineData("strlen l")]
    [InlineData("append l x")]
    [InlineData("incr l")]
    [InlineData("decr l")]
    [InlineData("incrby l 2")]
    [InlineData("decrby l 2")]
    [InlineData("incrbyfloat l abc")]
    [InlineData("getrange l 0 1")]
    [InlineData("substr l 0 1")]
    [InlineData("setrange l 0 x")]
    [InlineData("setrange l 0 \"\"")]
    [InlineData("setbit l 1 1")]
    [InlineData("getbit l 1")]
    [InlineData("bitcount l")]
    [InlineData("bitcount l a b")]
    [InlineData("bitpos l 1")]
    [InlineData("bitpos l 1 a")]
    [InlineData("bitop or d a l")]
    public void Another_type_answers_WRONGTYPE_and_stays(string command)
    {
        _run.Store("l", new OtherTypeValue());
        _run.Execute("set a abc");

        Assert.Equal(WrongType, _run.Execute(command));
        Assert.IsType<OtherTypeValue>(_run.Find("l"));
    }

    [Theory]
    [InlineData("incrby l abc", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("decrby l -9223372036854775808", "-ERR decrement would overflow\r\n")]
    [InlineData("getrange l a 1", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("setrange l -1 x", "-ERR offset is out of range\r\n")]
    [InlineData("setbit l 1 2", "-ERR bit is not an integer or out of range\r\n")]
    [InlineData("setbit l -1 1", "-ERR bit offset is not an integer or out of range\r\n")]
    [InlineData("getbit l -1", "-ERR bit offset is not an integer or out of range\r\n")]
    [InlineData("bitpos l 2", "-ERR The bit argument must be 1 or 0.\r\n")]
    [InlineData("set l v xx get ex -1", "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData("set l v get foo", "-ERR syntax error\r\n")]
    [InlineData("getex l foo", "-ERR syntax error\r\n")]
    [InlineData("bitop not d l l", "-ERR BITOP NOT must be called with a single source key.\r\n")]
    [InlineData("mget a l", "*2\r\n$-1\r\n$-1\r\n")]
    [InlineData("setnx l v", ":0\r\n")]
    [InlineData("msetnx x 1 l 2", ":0\r\n")]
    public void Argument_errors_come_before_the_type_check_as_in_Redis(string command, string expected)
    {
        _run.Store("l", new OtherTypeValue());

        Assert.Equal(expected, _run.Execute(command));
        Assert.IsType<OtherTypeValue>(_run.Find("l"));
    }

    [Theory]
    [InlineData("set l v", "+OK\r\n")]
    [InlineData("setex l 100 v", "+OK\r\n")]
    [InlineData("mset l v", "+OK\r\n")]
    [InlineData("bitop or l a", ":3\r\n")]
    public void Whole_value_writes_replace_another_type(string command, string expected)
    {
        _run.Store("l", new OtherTypeValue());
        _run.Execute("set a abc");

        Assert.Equal(expected, _run.Execute(command));
        Assert.IsType<RedisString>(_run.Find("l"));
    }

    [Fact]
    public void Bitop_with_only_empty_sources_deletes_a_destination_of_another_type()
    {
        _run.Store("l", new OtherTypeValue());

        Assert.Equal(":0\r\n", _run.Execute("bitop and l missing"));
        Assert.Null(_run.Find("l"));
    }

    [Theory]
    [InlineData("set k v ex 100", Now + 100_000)]
    [InlineData("set k v px 1500", Now + 1_500)]
    [InlineData("set k v exat 4102444800", 4_102_444_800_000)]
    [InlineData("set k v pxat 4102444800123", 4_102_444_800_123)]
    [InlineData("setex k 7 v", Now + 7_000)]
    [InlineData("psetex k 7 v", Now + 7)]
    public void Expire_times_are_absolute_ms_from_the_command_clock(string command, long expected)
    {
        _run.Execute(command);

        Assert.Equal(expected, _run.Access.GetExpire("k"u8));
    }

    [Fact]
    public void Set_with_a_past_absolute_time_stores_a_key_that_is_already_expired()
    {
        Assert.Equal("+OK\r\n", _run.Execute("set k v exat 1"));

        Assert.Equal(1, _run.Shards[0].Databases[0].Count);
        Assert.Null(_run.Find("k"));
        Assert.Equal("$-1\r\n", _run.Execute("get k"));
    }

    [Fact]
    public void Getex_with_a_past_absolute_time_deletes_the_key_on_a_master()
    {
        _run.Execute("set k v");

        Assert.Equal("$1\r\nv\r\n", _run.Execute("getex k pxat 1000"));
        Assert.Equal(0, _run.Shards[0].Databases[0].Count);
    }

    [Fact]
    public void Getex_with_a_past_absolute_time_only_sets_the_expire_on_a_replica()
    {
        _run.Execute("set k v");
        _run.Access.ExpiresKeys = false;

        Assert.Equal("$1\r\nv\r\n", _run.Execute("getex k pxat 1000"));
        Assert.Equal(1, _run.Shards[0].Databases[0].Count);
        Assert.Equal(1000, _run.Access.GetExpire("k"u8));
    }

    [Theory]
    [InlineData("incr k")]
    [InlineData("incrbyfloat k 1.5")]
    [InlineData("append k 1")]
    [InlineData("setrange k 0 9")]
    [InlineData("setbit k 1 1")]
    [InlineData("set k 9 keepttl")]
    [InlineData("getex k")]
    public void Writes_in_place_keep_the_ttl(string command)
    {
        _run.Execute("setex k 100 5");

        _run.Execute(command);

        Assert.Equal(Now + 100_000, _run.Access.GetExpire("k"u8));
    }

    [Theory]
    [InlineData("set k v", 1)]
    [InlineData("set k v ex 100", 1)]
    [InlineData("setex k 100 v", 1)]
    [InlineData("mset a 1 b 2 c 3", 3)]
    [InlineData("setbit k 0 0", 0)]
    [InlineData("setbit k 1 1", 0)]
    [InlineData("setbit k 0 1", 1)]
    [InlineData("setbit k 100 0", 1)]
    [InlineData("getex k persist", 0)]
    [InlineData("setnx k v", 0)]
    [InlineData("set k v nx", 0)]
    public void Dirty_counts_writes_as_Redis_does(string command, long expected)
    {
        _run.Execute("set k a");
        var before = _run.Access.Dirty;

        _run.Execute(command);

        Assert.Equal(expected, _run.Access.Dirty - before);
    }

    [Theory]
    [InlineData("set k hello", "embstr")]
    [InlineData("set k 123", "int")]
    [InlineData("append k x", "raw")]
    [InlineData("incr k", "int")]
    [InlineData("incrbyfloat k 1", "embstr")]
    [InlineData("setrange k 0 x", "raw")]
    [InlineData("setbit k 0 1", "raw")]
    [InlineData("bitop or k k", "raw")]
    public void Encodings_after_writes_follow_Redis(string command, string encoding)
    {
        _run.Execute("set k 5");

        _run.Execute(command);

        Assert.Equal(encoding, _run.Find("k")!.EncodingName);
    }

    [Theory]
    [InlineData("set k hello")]
    [InlineData("set k 12345")]
    [InlineData("get k")]
    [InlineData("get n")]
    [InlineData("incr n")]
    [InlineData("incrby n 3")]
    [InlineData("mget k n missing")]
    [InlineData("set k v ex 100")]
    public void Hot_paths_do_not_allocate(string command)
    {
        _run.Execute("set k hello");
        _run.Execute("set n 10");
        var prepared = _run.Prepare(command);
        for (var i = 0; i < 100; i++)
        {
            _run.Invoke(prepared);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _run.Invoke(prepared);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
