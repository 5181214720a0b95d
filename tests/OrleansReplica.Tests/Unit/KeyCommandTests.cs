using System.Text;
using OrleansReplica.Grains.Commands.Keys;
using OrleansReplica.Grains.Commands.Strings;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// Key and expire command behaviour the differential scripts cannot reach: many keys over several
/// shards (SCAN's guarantee), logically expired keys, replicas, WATCH signals, the dirty counter
/// and access times.
/// </summary>
public class KeyCommandTests
{
    private const long Now = 1_700_000_000_000;
    private const int Shards = 4;

    private readonly CommandRunner _run = new(Shards, Now, StringCommands.Register, KeyCommands.Register, ExpireCommands.Register);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1000)]
    public void Scan_returns_every_key_once_and_ends_at_cursor_zero(int count)
    {
        var keys = Enumerable.Range(0, 500).Select(i => $"key:{i}").ToHashSet();
        foreach (var key in keys)
        {
            _run.Execute($"set {key} v");
        }

        var seen = new List<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            (cursor, var batch) = _run.Scan($"scan {cursor} count {count}");
            seen.AddRange(batch);
            Assert.True(++calls <= 10_000, "SCAN does not terminate");
        }
        while (cursor != "0");

        Assert.Equal(keys.Count, seen.Count);
        Assert.Equal(keys, seen.ToHashSet());
    }

    [Fact]
    public void Scan_never_misses_a_key_present_throughout_while_others_come_and_go()
    {
        var random = new Random(12345);
        var stable = Enumerable.Range(0, 300).Select(i => $"stable:{i}").ToList();
        foreach (var key in stable)
        {
            _run.Execute($"set {key} v");
        }
        var transientCounter = 0;
        var transient = new List<string>();

        var seen = new HashSet<string>();
        var cursor = "0";
        do
        {
            (cursor, var batch) = _run.Scan($"scan {cursor} count 5");
            seen.UnionWith(batch);
            // Between calls, add and remove other keys (growing and shrinking the keyspace).
            for (var i = 0; i < 20; i++)
            {
                if (transient.Count > 0 && random.Next(3) == 0)
                {
                    var index = random.Next(transient.Count);
                    _run.Execute($"del {transient[index]}");
                    transient.RemoveAt(index);
                }
                else
                {
                    var key = $"transient:{transientCounter++}";
                    _run.Execute($"set {key} v");
                    transient.Add(key);
                }
            }
        }
        while (cursor != "0");

        Assert.Subset(seen, stable.ToHashSet());
    }

    [Fact]
    public void Scan_filters_by_pattern_and_type_and_case_of_the_type_name()
    {
        _run.Execute("set str v");
        _run.Store("lst", new OtherTypeValue());

        Assert.Equal(["lst"], _run.Scan("scan 0 type LIST count 100").Keys);
        Assert.Equal(["str"], _run.Scan("scan 0 match s* count 100").Keys);
        Assert.Empty(_run.Scan("scan 0 match s* type list count 100").Keys);
    }

    [Fact]
    public void Scan_deletes_the_expired_keys_it_meets_on_a_master()
    {
        _run.Execute("set live v");
        _run.Execute("set gone v px 10");
        _run.Access.NowMs = Now + 100;

        Assert.Equal(["live"], _run.Scan("scan 0 count 100").Keys);
        Assert.Equal(":1\r\n", _run.Execute("dbsize"));
        Assert.Equal(1, _run.ExpiredKeys);
    }

    [Fact]
    public void Scan_on_a_replica_hides_expired_keys_without_deleting_them()
    {
        _run.Execute("set live v");
        _run.Execute("set gone v px 10");
        _run.Access.NowMs = Now + 100;
        _run.Access.ExpiresKeys = false;

        Assert.Equal(["live"], _run.Scan("scan 0 count 100").Keys);
        Assert.Equal(":2\r\n", _run.Execute("dbsize"));
    }

    [Fact]
    public void Scan_type_reads_each_key_as_redis_does_so_an_expired_key_has_type_none()
    {
        _run.Execute("set live v");
        _run.Execute("set gone v px 10");
        _run.Access.NowMs = Now + 100;

        Assert.Equal(["live"], _run.Scan("scan 0 type string count 100").Keys);
        Assert.Equal((1, 1), (_run.KeyspaceHits, _run.KeyspaceMisses));
        _run.Execute("set gone v px 10");
        _run.Access.NowMs += 100;
        Assert.Equal(["gone"], _run.Scan("scan 0 type none count 100").Keys);
        Assert.Equal(2, _run.ExpiredKeys);
    }

    [Fact]
    public void Reads_count_hits_and_misses_as_redis_counts_them()
    {
        _run.Execute("set a v");
        foreach (var command in new[] { "exists a nokey", "type a", "object encoding nokey", "ttl a", "touch a nokey", "copy a b", "copy nokey b" })
        {
            _run.Execute(command);
        }
        Assert.Equal((5, 4), (_run.KeyspaceHits, _run.KeyspaceMisses));

        foreach (var command in new[] { "rename a c", "move c 1", "expire b 10", "persist b", "del b", "keys *", "scan 0", "randomkey", "dbsize" })
        {
            _run.Execute(command);
        }
        Assert.Equal((5, 4), (_run.KeyspaceHits, _run.KeyspaceMisses));
    }

    [Fact]
    public void Scan_cursor_beyond_the_shards_ends_the_iteration()
    {
        _run.Execute("set k v");

        var (cursor, keys) = _run.Scan("scan 18446744073709551615");
        Assert.Equal("0", cursor);
        Assert.Empty(keys);
        Assert.Equal("0", _run.Scan($"scan {(ulong)Shards << 32}").Cursor);
    }

    [Theory]
    [InlineData("0", true, 0UL)]
    [InlineData("", true, 0UL)]
    [InlineData("+7", true, 7UL)]
    [InlineData("-1", true, ulong.MaxValue)]
    [InlineData("18446744073709551615", true, ulong.MaxValue)]
    [InlineData("18446744073709551616", false, 0UL)]
    [InlineData(" 1", false, 0UL)]
    [InlineData("1 ", false, 0UL)]
    [InlineData("-", false, 0UL)]
    [InlineData("0x1", false, 0UL)]
    public void Scan_cursor_parses_as_redis_parses_it(string text, bool valid, ulong expected)
    {
        Assert.Equal(valid, ScanCursor.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        if (valid)
        {
            Assert.Equal(expected, value);
        }
    }

    [Fact]
    public void Scan_cursor_finishing_a_shard_carries_into_the_next()
    {
        Assert.Equal(2UL << 32, new ScanCursor(1, 1UL << 32).ToValue(4));
        Assert.Equal(0UL, new ScanCursor(3, 1UL << 32).ToValue(4));
        Assert.Equal((1UL << 32) | 5, new ScanCursor(1, 5).ToValue(4));
        Assert.Equal(new ScanCursor(1, 5), ScanCursor.FromValue((1UL << 32) | 5));
    }

    [Fact]
    public void Keys_skips_expired_keys_without_deleting_them_and_dbsize_still_counts_them()
    {
        _run.Execute("set live v");
        _run.Execute("set gone v px 10");
        _run.Access.NowMs = Now + 100;

        Assert.Equal("*1\r\n$4\r\nlive\r\n", _run.Execute("keys *"));
        Assert.Equal("*0\r\n", _run.Execute("keys g*"));
        Assert.Equal(":2\r\n", _run.Execute("dbsize"));
        Assert.Equal(0, _run.ExpiredKeys);
    }

    [Fact]
    public void Keys_returns_every_matching_key_of_every_shard()
    {
        for (var i = 0; i < 50; i++)
        {
            _run.Execute($"set user:{i} v");
            _run.Execute($"set other:{i} v");
        }

        var reply = _run.Execute("keys user:*");

        Assert.StartsWith("*50\r\n", reply);
        Assert.Equal(50, Enumerable.Range(0, 50).Count(i => reply.Contains($"\r\nuser:{i}\r\n")));
    }

    [Fact]
    public void Randomkey_on_a_master_deletes_expired_keys_until_it_finds_a_live_one()
    {
        for (var i = 0; i < 20; i++)
        {
            _run.Execute($"set gone:{i} v px 10");
        }
        _run.Execute("set live v");
        _run.Access.NowMs = Now + 100;

        Assert.Equal("$4\r\nlive\r\n", _run.Execute("randomkey"));
    }

    [Fact]
    public void Randomkey_is_nil_once_every_key_expired_on_a_master()
    {
        _run.Execute("set a v px 10");
        _run.Execute("set b v px 10");
        _run.Access.NowMs = Now + 100;

        Assert.Equal("$-1\r\n", _run.Execute("randomkey"));
        Assert.Equal(":0\r\n", _run.Execute("dbsize"));
    }

    [Fact]
    public void Randomkey_on_a_replica_whose_keys_all_expired_returns_one_of_them()
    {
        _run.Execute("set a v px 10");
        _run.Access.NowMs = Now + 100;
        _run.Access.ExpiresKeys = false;

        Assert.Equal("$1\r\na\r\n", _run.Execute("randomkey"));
        Assert.Equal(":1\r\n", _run.Execute("dbsize"));
    }

    [Fact]
    public void Randomkey_on_a_replica_skips_expired_keys_when_a_live_one_exists()
    {
        for (var i = 0; i < 20; i++)
        {
            _run.Execute($"set gone:{i} v px 10");
        }
        _run.Execute("set live v");
        _run.Access.NowMs = Now + 100;
        _run.Access.ExpiresKeys = false;

        Assert.Equal("$4\r\nlive\r\n", _run.Execute("randomkey"));
        Assert.Equal(":21\r\n", _run.Execute("dbsize"));
    }

    [Fact]
    public void Randomkey_eventually_returns_each_key()
    {
        var keys = new[] { "a", "b", "c", "d", "e", "f" };
        foreach (var key in keys)
        {
            _run.Execute($"set {key} v");
        }
        var seen = new HashSet<string>();
        for (var i = 0; i < 1000 && seen.Count < keys.Length; i++)
        {
            seen.Add(_run.Execute("randomkey").Split("\r\n")[1]);
        }

        Assert.Equal(keys.ToHashSet(), seen);
    }

    [Fact]
    public void Commands_on_a_logically_expired_key_see_no_key()
    {
        _run.Execute("set k v px 10");
        _run.Execute("set dst v");
        _run.Access.NowMs = Now + 100;

        Assert.Equal(":0\r\n", _run.Execute("exists k"));
        _run.Execute("set k v px 10");
        _run.Access.NowMs += 100;
        Assert.Equal("-ERR no such key\r\n", _run.Execute("rename k x"));
        Assert.Equal(":0\r\n", _run.Execute("copy k x"));
        Assert.Equal(":0\r\n", _run.Execute("move k 1"));
        Assert.Equal(":0\r\n", _run.Execute("expire k 100"));
        Assert.Equal(":0\r\n", _run.Execute("persist k"));
        Assert.Equal(":-2\r\n", _run.Execute("ttl k"));
        Assert.Equal("+none\r\n", _run.Execute("type k"));
        Assert.Equal(":0\r\n", _run.Execute("del k"));
    }

    [Fact]
    public void An_expired_destination_counts_as_absent()
    {
        _run.Execute("set src v");
        _run.Execute("set dst old px 10");
        _run.Access.NowMs = Now + 100;

        Assert.Equal(":1\r\n", _run.Execute("renamenx src dst"));
        Assert.Equal(":-1\r\n", _run.Execute("ttl dst"));
    }

    [Fact]
    public void A_replica_keeps_a_past_expire_instead_of_deleting_and_hides_the_key()
    {
        _run.Access.ExpiresKeys = false;
        _run.Execute("set k v");

        Assert.Equal(":1\r\n", _run.Execute("pexpireat k 1000"));
        Assert.Equal(":-2\r\n", _run.Execute("ttl k"));
        Assert.Equal(1000, _run.Access.GetExpire(Encoding.UTF8.GetBytes("k")));
        Assert.Equal(":1\r\n", _run.Execute("dbsize"));
    }

    [Fact]
    public void Exists_type_ttl_and_object_leave_the_access_time_but_touch_moves_it()
    {
        _run.Execute("set k hello");
        _run.Access.NowMs = Now + 5_000;

        foreach (var command in new[] { "exists k", "type k", "ttl k", "pttl k", "expiretime k", "object encoding k", "object refcount k" })
        {
            _run.Execute(command);
            Assert.Equal(":5\r\n", _run.Execute("object idletime k"));
        }
        _run.Execute("touch k");
        Assert.Equal(":0\r\n", _run.Execute("object idletime k"));
    }

    [Fact]
    public void Object_freq_answers_only_under_an_lfu_policy_and_idletime_only_without()
    {
        _run.Execute("set k hello");
        _run.Access.LfuPolicy = true;

        Assert.Equal(":5\r\n", _run.Execute("object freq k"));
        Assert.StartsWith("-ERR An LFU maxmemory policy is selected, idle time not tracked.", _run.Execute("object idletime k"));
        Assert.Equal("$-1\r\n", _run.Execute("object idletime nokey"));
    }

    [Fact]
    public void Object_reports_other_types_by_their_own_encoding()
    {
        _run.Store("l", new OtherTypeValue());

        Assert.Equal("$8\r\nlistpack\r\n", _run.Execute("object encoding l"));
        Assert.Equal(":1\r\n", _run.Execute("object refcount l"));
        Assert.Equal("+list\r\n", _run.Execute("type l"));
    }

    [Fact]
    public void Copy_clones_the_value_of_any_type()
    {
        var original = new OtherTypeValue();
        _run.Store("l", original);

        Assert.Equal(":1\r\n", _run.Execute("copy l l2 db 3"));
        _run.Access.Db = 3;
        var copy = _run.Find("l2");
        Assert.IsType<OtherTypeValue>(copy);
        Assert.NotSame(original, copy);
    }

    [Theory]
    [InlineData("rename a b", 1)]
    [InlineData("renamenx a b", 1)]
    [InlineData("copy a b", 1)]
    [InlineData("copy a e replace", 1)]
    [InlineData("move a 1", 1)]
    [InlineData("expire a 100", 1)]
    [InlineData("expire e 0", 1)]
    [InlineData("persist e", 1)]
    [InlineData("del a e nokey", 2)]
    [InlineData("swapdb 0 1", 1)]
    [InlineData("flushdb", 2)]
    [InlineData("touch a e", 0)]
    [InlineData("exists a", 0)]
    [InlineData("rename a a", 0)]
    public void Writes_count_as_redis_counts_them_for_the_dirty_counter(string command, long dirty)
    {
        _run.Execute("set a v");
        _run.Execute("set e v ex 100");
        var before = _run.Access.Dirty;

        _run.Execute(command);

        Assert.Equal(dirty, _run.Access.Dirty - before);
    }

    [Fact]
    public void Writes_signal_watchers_of_the_keys_they_change()
    {
        _run.Execute("set a v");
        _run.Execute("set c v");
        var a = _run.Watch(0, "a");
        var b = _run.Watch(0, "b");
        var c = _run.Watch(0, "c");
        var moved = _run.Watch(2, "c");

        _run.Execute("rename a b");
        Assert.True(a.Modified && b.Modified);
        _run.Execute("move c 2");
        Assert.True(c.Modified && moved.Modified);
    }

    [Fact]
    public void Reads_and_refused_writes_do_not_signal_watchers()
    {
        _run.Execute("set a v");
        _run.Execute("set b v");
        var a = _run.Watch(0, "a");
        var b = _run.Watch(0, "b");

        foreach (var command in new[] { "exists a", "type a", "touch a", "ttl a", "renamenx a b", "copy a b", "expire a 100 xx", "persist a", "object encoding a" })
        {
            _run.Execute(command);
        }

        Assert.False(a.Modified || b.Modified);
    }

    [Fact]
    public void Swapdb_swaps_the_data_of_every_shard_and_signals_watchers_of_keys_on_either_side()
    {
        for (var i = 0; i < 20; i++)
        {
            _run.Execute($"set zero:{i} v");
        }
        _run.Access.Db = 1;
        _run.Execute("set one v");
        var inOne = _run.Watch(0, "one");
        var inZero = _run.Watch(1, "zero:3");
        var absent = _run.Watch(0, "nokey");

        _run.Execute("swapdb 0 1");

        Assert.Equal(":20\r\n", _run.Execute("dbsize"));
        _run.Access.Db = 0;
        Assert.Equal(":1\r\n", _run.Execute("dbsize"));
        Assert.Equal("$1\r\nv\r\n", _run.Execute("get one"));
        Assert.True(inOne.Modified && inZero.Modified);
        Assert.False(absent.Modified);
    }

    [Fact]
    public void Flushdb_signals_watchers_of_existing_keys_only_and_flushall_empties_every_database()
    {
        _run.Execute("set a v");
        _run.Access.Db = 4;
        _run.Execute("set b v");
        _run.Access.Db = 0;
        var a = _run.Watch(0, "a");
        var b = _run.Watch(4, "b");
        var absent = _run.Watch(0, "nokey");

        _run.Execute("flushdb");
        Assert.True(a.Modified);
        Assert.False(b.Modified || absent.Modified);

        _run.Execute("flushall async");
        Assert.True(b.Modified);
        _run.Access.Db = 4;
        Assert.Equal(":0\r\n", _run.Execute("dbsize"));
    }

    [Fact]
    public void Ttl_rounds_to_the_nearest_second_and_expiretime_survives_the_largest_time()
    {
        _run.Execute("set k v");
        _run.Execute("pexpire k 1499");
        Assert.Equal(":1\r\n", _run.Execute("ttl k"));
        _run.Execute("pexpire k 1500");
        Assert.Equal(":2\r\n", _run.Execute("ttl k"));
        _run.Execute("pexpireat k 9223372036854775807");
        Assert.Equal(":9223372036854776\r\n", _run.Execute("expiretime k"));
    }

    [Fact]
    public void Expire_in_the_past_deletes_without_counting_an_expired_key()
    {
        _run.Execute("set k v");
        var watcher = _run.Watch(0, "k");

        Assert.Equal(":1\r\n", _run.Execute("expire k -1"));
        Assert.Null(_run.Find("k"));
        Assert.True(watcher.Modified);
        Assert.Equal(0, _run.ExpiredKeys);
    }
}
