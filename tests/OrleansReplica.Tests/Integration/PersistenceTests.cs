using OrleansReplica.Client;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>SAVE, BGSAVE, save points, loading at start, DEBUG RELOAD, FLUSHALL and INFO persistence.</summary>
public sealed class PersistenceTests : DataDirectoryTests
{

    private string DumpPath => Path.Combine(DataDir, "dump.rdb");

    [Fact]
    public async Task Save_writes_dump_rdb_that_a_restarted_silo_loads()
    {
        var silo = await StartSiloAsync();
        var client = await ConnectAsync(silo);
        await FillAsync(client);
        var digest = (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString();
        var before = (await client.ExecuteAsync("LASTSAVE")).AsInt64();

        Assert.Equal("OK", (await client.ExecuteAsync("SAVE")).AsString());

        Assert.True(File.Exists(DumpPath));
        Assert.Empty(Directory.GetFiles(DataDir, "temp-*.rdb"));
        var info = await client.InfoAsync("persistence");
        Assert.Equal("0", info["rdb_changes_since_last_save"]);
        Assert.Equal("1", info["rdb_saves"]);
        Assert.True((await client.ExecuteAsync("LASTSAVE")).AsInt64() >= before);

        await Cluster.StopSiloAsync(silo);
        var restarted = await StartSiloAsync();
        var again = await ConnectAsync(restarted);
        Assert.Equal(digest, (await again.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        Assert.Equal("v1", (await again.ExecuteAsync("GET", "k1")).AsString());
        Assert.InRange((await again.ExecuteAsync("TTL", "with-ttl")).AsInt64(), 1, 1000);
        await again.ExecuteAsync("SELECT", "3");
        Assert.Equal("in db 3", (await again.ExecuteAsync("GET", "db3key")).AsString());
        Assert.Equal("203", (await again.InfoAsync("persistence"))["rdb_last_load_keys_loaded"]);
    }

    [Fact]
    public async Task Bgsave_runs_in_the_background_and_reports_in_info()
    {
        var silo = await StartSiloAsync();
        var client = await ConnectAsync(silo);
        await FillAsync(client);

        Assert.Equal("Background saving started", (await client.ExecuteAsync("BGSAVE")).AsString());
        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("persistence"))["rdb_bgsave_in_progress"] == "0", "the background save to finish");

        var info = await client.InfoAsync("persistence");
        Assert.Equal("ok", info["rdb_last_bgsave_status"]);
        Assert.Equal("0", info["rdb_changes_since_last_save"]);
        Assert.Equal("0", info["rdb_last_bgsave_time_sec"]);
        Assert.True(File.Exists(DumpPath));
        Assert.Equal("ERR syntax error", (await client.ExecuteAsync("BGSAVE", "NOW")).AsString());
        Assert.Equal("Background saving started", (await client.ExecuteAsync("BGSAVE", "SCHEDULE")).AsString());
    }

    [Fact]
    public async Task A_save_point_starts_a_background_save()
    {
        var silo = await StartSiloAsync(("save", "1 2"));
        var client = await ConnectAsync(silo);
        await client.ExecuteAsync("SET", "a", "1");
        await client.ExecuteAsync("SET", "b", "2");

        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("persistence"))["rdb_saves"] == "1", "the save point to trigger a save");
        Assert.True(File.Exists(DumpPath));
    }

    [Fact]
    public async Task Flushall_with_save_points_saves_the_empty_dataset()
    {
        var silo = await StartSiloAsync(("save", "3600 1"));
        var client = await ConnectAsync(silo);
        await FillAsync(client);
        Assert.Equal("OK", (await client.ExecuteAsync("SAVE")).AsString());
        await client.ExecuteAsync("SET", "after", "save");

        Assert.Equal("OK", (await client.ExecuteAsync("FLUSHALL")).AsString());

        Assert.Equal("0", (await client.InfoAsync("persistence"))["rdb_changes_since_last_save"]);
        await Cluster.StopSiloAsync(silo);
        var restarted = await ConnectAsync(await StartSiloAsync());
        Assert.Equal(0, (await restarted.ExecuteAsync("DBSIZE")).AsInt64());
    }

    [Fact]
    public async Task A_save_running_when_flushall_comes_never_brings_the_old_data_back()
    {
        var silo = await StartSiloAsync(("save", "3600 1"), ("shards", "4"));
        var client = await ConnectAsync(silo);
        var load = new System.Text.StringBuilder();
        for (var i = 0; i < 100_000; i++)
        {
            load.Append(Wire.Multibulk("SET", $"key:{i}", "some value to save"));
        }
        await client.SendRawAsync(Wire.Bytes(load.ToString()));
        for (var i = 0; i < 100_000; i++)
        {
            await client.ReadRawReplyAsync();
        }
        var saver = await ConnectAsync(silo);

        // Both saves start before the flush; whichever way they interleave with it, none may
        // install the old data after the FLUSHALL's own (empty) save.
        Assert.Equal("Background saving started", (await client.ExecuteAsync("BGSAVE")).AsString());
        var save = saver.ExecuteAsync("SAVE");
        Assert.Equal("OK", (await client.ExecuteAsync("FLUSHALL")).AsString());
        await save;
        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("persistence"))["rdb_bgsave_in_progress"] == "0", "the background save to end");

        var restarted = await ConnectAsync(await RestartAsync(("save", "3600 1")));
        Assert.Equal(0, (await restarted.ExecuteAsync("DBSIZE")).AsInt64());
        Assert.Empty(Directory.GetFiles(DataDir, "temp-*.rdb"));
    }

    [Fact]
    public async Task Flushall_without_save_points_counts_one_change_more_than_the_keys()
    {
        var client = await ConnectAsync(await StartSiloAsync());
        await client.ExecuteAsync("MSET", "a", "1", "b", "2");
        await client.ExecuteAsync("FLUSHALL");
        // MSET counts 2, FLUSHALL the 2 keys it removed plus itself, as redis-server 7.0.
        Assert.Equal("5", (await client.InfoAsync("persistence"))["rdb_changes_since_last_save"]);
    }

    [Fact]
    public async Task Debug_reload_saves_and_loads_the_same_data()
    {
        var client = await ConnectAsync(await StartSiloAsync());
        await FillAsync(client);
        var digest = (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString();

        Assert.Equal("OK", (await client.ExecuteAsync("DEBUG", "RELOAD")).AsString());

        Assert.Equal(digest, (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        Assert.True(File.Exists(DumpPath));
        await client.ExecuteAsync("SET", "not-saved", "1");
        Assert.Equal("OK", (await client.ExecuteAsync("DEBUG", "RELOAD", "NOSAVE")).AsString());
        Assert.Equal(digest, (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString());
    }

    [Fact]
    public async Task Keys_expired_in_the_file_are_not_loaded()
    {
        var client = await ConnectAsync(await StartSiloAsync());
        await client.ExecuteAsync("SET", "short", "1", "PX", "300");
        await client.ExecuteAsync("SET", "long", "1");
        await client.ExecuteAsync("SAVE");
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("PTTL", "short")).AsInt64() == -2, "the key to expire");

        Assert.Equal("OK", (await client.ExecuteAsync("DEBUG", "RELOAD", "NOSAVE")).AsString());

        var info = await client.InfoAsync("persistence");
        Assert.Equal("1", info["rdb_last_load_keys_loaded"]);
        Assert.Equal("1", info["rdb_last_load_keys_expired"]);
    }

    [Fact]
    public async Task A_corrupt_dump_is_refused_at_start_naming_the_file_and_offset()
    {
        var client = await ConnectAsync(await StartSiloAsync());
        await FillAsync(client);
        await client.ExecuteAsync("SAVE");
        await Cluster.StopSiloAsync(Cluster.Primary);
        var good = await File.ReadAllBytesAsync(DumpPath);

        var corrupt = (byte[])good.Clone();
        corrupt[good.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(DumpPath, corrupt);
        var refused = await Assert.ThrowsAsync<RdbFormatException>(() => StartSiloAsync());
        Assert.Contains("dump.rdb", refused.Message);
        Assert.Contains("byte offset", refused.Message);

        await File.WriteAllBytesAsync(DumpPath, good[..(good.Length - 20)]);
        var truncated = await Assert.ThrowsAsync<RdbFormatException>(() => StartSiloAsync());
        Assert.Contains("dump.rdb", truncated.Message);
        Assert.Empty(Cluster.Silos);
    }

    [Fact]
    public async Task Shutdown_save_and_nosave()
    {
        var silo = await StartSiloAsync();
        var client = await ConnectAsync(silo);
        await client.ExecuteAsync("SET", "k", "v");
        Assert.Equal("ERR syntax error", (await client.ExecuteAsync("SHUTDOWN", "SAVE", "NOSAVE")).AsString());

        await client.SendRawAsync(Wire.Bytes(Wire.Multibulk("SHUTDOWN", "SAVE")));
        await Wire.AssertClosedByServerAsync(client);
        await silo.Stopped.WaitAsync(Wire.ConditionTimeout);
        Assert.True(File.Exists(DumpPath));
        await Cluster.StopSiloAsync(silo);

        var restarted = await StartSiloAsync();
        var again = await ConnectAsync(restarted);
        Assert.Equal("v", (await again.ExecuteAsync("GET", "k")).AsString());
        File.Delete(DumpPath);
        await again.SendRawAsync(Wire.Bytes(Wire.Multibulk("SHUTDOWN", "NOSAVE")));
        await Wire.AssertClosedByServerAsync(again);
        await restarted.Stopped.WaitAsync(Wire.ConditionTimeout);
        Assert.False(File.Exists(DumpPath));
    }

    /// <summary>203 keys: 200 strings (ints, short and long compressible ones), one with a TTL, two in db 3.</summary>
    private static async Task FillAsync(RedisConnection client)
    {
        for (var i = 0; i < 200; i++)
        {
            await client.ExecuteAsync("SET", $"k{i}", i % 4 == 0 ? (i * 1000).ToString() : i % 4 == 1 ? $"v{i}" : new string('x', 100 + i));
        }
        await client.ExecuteAsync("SET", "with-ttl", "soon", "EX", "1000");
        await client.ExecuteAsync("SELECT", "3");
        await client.ExecuteAsync("SET", "db3key", "in db 3");
        await client.ExecuteAsync("SET", "db3int", "-42");
        await client.ExecuteAsync("SELECT", "0");
    }

}
