using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Aof;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>The multi-part AOF: appended writes survive a restart, BGREWRITEAOF, runtime enabling, and bad files are refused.</summary>
public sealed class AofTests() : DataDirectoryTests(("appendonly", "yes"))
{

    private string AofDir => Path.Combine(DataDir, "appendonlydir");

    private AofManifest Manifest => AofManifest.Load(Path.Combine(AofDir, "appendonly.aof.manifest"));

    [Theory]
    [InlineData("always", "yes")]
    [InlineData("everysec", "yes")]
    [InlineData("no", "no")]
    public async Task Writes_are_appended_and_loaded_after_a_restart(string fsync, string preamble)
    {
        var silo = await StartSiloAsync(("appendfsync", fsync), ("aof-use-rdb-preamble", preamble));
        var client = await ConnectAsync(silo);
        Assert.Equal("1", (await client.InfoAsync("persistence"))["aof_enabled"]);
        Assert.NotNull(Manifest.Base);
        Assert.Single(Manifest.Incrementals);
        await WriteAsync(client);
        var digest = await DigestAsync(client);

        await RestartAsync();

        Assert.Equal(digest, await DigestAsync(await ConnectAsync(Cluster.Primary)));
    }

    [Fact]
    public async Task Bgrewriteaof_installs_a_new_base_while_writes_go_on()
    {
        var silo = await StartSiloAsync();
        var client = await ConnectAsync(silo);
        await WriteAsync(client);
        var writer = await ConnectAsync(silo);
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await writer.ExecuteAsync("INCR", $"during:{i++ % 100}");
            }
        });

        Assert.Equal("Background append only file rewriting started", (await client.ExecuteAsync("BGREWRITEAOF")).AsString());
        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("persistence"))["aof_rewrite_in_progress"] == "0", "the rewrite to finish");
        stop.Cancel();
        await writes;
        var digest = await DigestAsync(client);

        var info = await client.InfoAsync("persistence");
        Assert.Equal("ok", info["aof_last_bgrewrite_status"]);
        Assert.Equal("1", info["aof_rewrites"]);
        Assert.Equal(2, Manifest.Base!.Sequence);
        Assert.Equal([2L], Manifest.Incrementals.Select(static entry => entry.Sequence));
        Assert.Empty(Manifest.History);
        Assert.Equal(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"],
            Directory.GetFiles(AofDir).Select(Path.GetFileName).Order());

        await RestartAsync();
        Assert.Equal(digest, await DigestAsync(await ConnectAsync(Cluster.Primary)));
    }

    [Fact]
    public async Task Config_set_appendonly_yes_creates_the_aof_from_the_current_data()
    {
        var silo = await StartSiloAsync(("appendonly", "no"));
        var client = await ConnectAsync(silo);
        await WriteAsync(client);
        Assert.False(Directory.Exists(AofDir));

        Assert.Equal("OK", (await client.ExecuteAsync("CONFIG", "SET", "appendonly", "yes")).AsString());
        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("persistence"))["aof_enabled"] == "1", "AOF to be on");
        await client.ExecuteAsync("SET", "after", "enabling");
        var digest = await DigestAsync(client);

        await RestartAsync();
        Assert.Equal(digest, await DigestAsync(await ConnectAsync(Cluster.Primary)));

        var again = await ConnectAsync(Cluster.Primary);
        Assert.Equal("OK", (await again.ExecuteAsync("CONFIG", "SET", "appendonly", "no")).AsString());
        Assert.Equal("0", (await again.InfoAsync("persistence"))["aof_enabled"]);
    }

    [Fact]
    public async Task A_truncated_last_file_loads_when_allowed_and_is_cut_back()
    {
        var silo = await StartSiloAsync();
        var client = await ConnectAsync(silo);
        await client.ExecuteAsync("SET", "kept", "1");
        await Cluster.StopSiloAsync(silo);
        var incremental = Path.Combine(AofDir, Manifest.Incrementals[^1].FileName);
        var complete = new FileInfo(incremental).Length;
        await File.AppendAllTextAsync(incremental, "*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1");

        var refused = await Assert.ThrowsAsync<AofLoadException>(() => StartSiloAsync(("aof-load-truncated", "no")));
        Assert.Contains("appendonly.aof.1.incr.aof", refused.Message);
        Assert.Contains($"byte offset {complete}", refused.Message);

        var loaded = await StartSiloAsync(("aof-load-truncated", "yes"));
        var again = await ConnectAsync(loaded);
        Assert.Equal("1", (await again.ExecuteAsync("GET", "kept")).AsString());
        Assert.Null((await again.ExecuteAsync("GET", "lost")).AsString());
        Assert.Equal(complete, new FileInfo(incremental).Length);
    }

    [Fact]
    public async Task Garbage_in_the_aof_is_refused_naming_the_file_and_offset()
    {
        var silo = await StartSiloAsync();
        await (await ConnectAsync(silo)).ExecuteAsync("SET", "k", "v");
        await Cluster.StopSiloAsync(silo);
        var incremental = Path.Combine(AofDir, Manifest.Incrementals[^1].FileName);
        var good = new FileInfo(incremental).Length;
        await File.AppendAllTextAsync(incremental, "this is not a command\r\n*1\r\n$4\r\nPING\r\n");

        var refused = await Assert.ThrowsAsync<AofLoadException>(() => StartSiloAsync(("aof-load-truncated", "yes")));

        Assert.Contains("Bad file format", refused.Message);
        Assert.Contains($"byte offset {good}", refused.Message);
        Assert.Empty(Cluster.Silos);
    }

    [Fact]
    public async Task Without_an_aof_the_dump_is_loaded_and_becomes_the_base()
    {
        var plain = await StartSiloAsync(("appendonly", "no"));
        var client = await ConnectAsync(plain);
        await WriteAsync(client);
        var digest = await DigestAsync(client);
        await client.ExecuteAsync("SAVE");
        await Cluster.StopSiloAsync(plain);

        var withAof = await StartSiloAsync();
        Assert.Equal(digest, await DigestAsync(await ConnectAsync(withAof)));
        File.Delete(Path.Combine(DataDir, "dump.rdb"));
        await RestartAsync();
        Assert.Equal(digest, await DigestAsync(await ConnectAsync(Cluster.Primary)));
    }

    private static async Task WriteAsync(RedisConnection client)
    {
        var pipeline = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            pipeline.Append(Wire.Multibulk("SET", $"key:{i}", i % 2 == 0 ? i.ToString() : new string('v', i)));
        }
        pipeline.Append(Wire.Multibulk("SET", "ttl", "x", "EX", "1000"));
        pipeline.Append(Wire.Multibulk("INCRBYFLOAT", "float", "2.5"));
        pipeline.Append(Wire.Multibulk("APPEND", "key:1", "-more"));
        pipeline.Append(Wire.Multibulk("DEL", "key:2"));
        pipeline.Append(Wire.Multibulk("SELECT", "4"));
        pipeline.Append(Wire.Multibulk("MULTI"));
        pipeline.Append(Wire.Multibulk("SET", "in4", "a"));
        pipeline.Append(Wire.Multibulk("INCR", "counter4"));
        pipeline.Append(Wire.Multibulk("EXEC"));
        pipeline.Append(Wire.Multibulk("SELECT", "0"));
        await client.SendRawAsync(Wire.Bytes(pipeline.ToString()));
        for (var i = 0; i < 310; i++)
        {
            await client.ReadRawReplyAsync();
        }
    }

    private static async Task<string?> DigestAsync(RedisConnection client) => (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString();
}
