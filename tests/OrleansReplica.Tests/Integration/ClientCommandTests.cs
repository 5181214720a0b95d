using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>CLIENT ID, SETNAME/GETNAME, LIST, INFO and KILL between live connections.</summary>
public sealed class ClientCommandTests
{
    [Fact]
    public async Task Ids_are_distinct_per_connection()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var ids = new HashSet<long>();
        for (var i = 0; i < 5; i++)
        {
            var client = await silo.ConnectAsync();
            var id = (await client.ExecuteAsync("CLIENT", "ID")).AsInt64();
            Assert.True(id > 0);
            Assert.True(ids.Add(id), $"id {id} given twice");
            Assert.Equal(id, (await client.ExecuteAsync("CLIENT", "ID")).AsInt64());
        }
    }

    [Fact]
    public async Task Setname_getname_and_list_show_both_clients()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (alpha, beta) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("$-1\r\n", await alpha.RawAsync("CLIENT", "GETNAME"));
        Assert.Equal("+OK\r\n", await alpha.RawAsync("CLIENT", "SETNAME", "alpha"));
        Assert.Equal("+OK\r\n", await beta.RawAsync("CLIENT", "SETNAME", "beta"));
        Assert.Equal("$5\r\nalpha\r\n", await alpha.RawAsync("CLIENT", "GETNAME"));
        Assert.Equal("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", await alpha.RawAsync("CLIENT", "SETNAME", "a b"));

        var alphaId = (await alpha.ExecuteAsync("CLIENT", "ID")).AsInt64();
        var betaId = (await beta.ExecuteAsync("CLIENT", "ID")).AsInt64();
        var lines = (await alpha.ExecuteAsync("CLIENT", "LIST")).AsString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, line => line.StartsWith($"id={alphaId} addr=127.0.0.1:", StringComparison.Ordinal) && line.Contains(" name=alpha "));
        Assert.Contains(lines, line => line.StartsWith($"id={betaId} addr=127.0.0.1:", StringComparison.Ordinal) && line.Contains(" name=beta "));
        Assert.All(lines, line => Assert.Contains($" laddr=127.0.0.1:{silo.Port} ", line));

        var info = (await beta.ExecuteAsync("CLIENT", "INFO")).AsString()!;
        Assert.StartsWith($"id={betaId} addr=127.0.0.1:", info);
        Assert.Contains(" name=beta ", info);
        Assert.Contains(" cmd=client|info ", info);
        Assert.EndsWith("\n", info);

        var byId = (await alpha.ExecuteAsync("CLIENT", "LIST", "ID", betaId.ToString())).AsString()!;
        Assert.Single(byId.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(" name=beta ", byId);
    }

    [Fact]
    public async Task Kill_id_closes_the_other_connection()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (killer, victim) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        var victimId = (await victim.ExecuteAsync("CLIENT", "ID")).AsInt64();
        Assert.Equal(":1\r\n", await killer.RawAsync("CLIENT", "KILL", "ID", victimId.ToString()));
        await Wire.WaitUntilAsync(() => Task.FromResult(!victim.IsConnected), "the killed connection is closed");
        await Assert.ThrowsAsync<IOException>(() => victim.ExecuteAsync("PING"));
        Assert.Equal("+PONG\r\n", await killer.RawAsync("PING"));
        await Wire.WaitUntilAsync(async () => !(await killer.ExecuteAsync("CLIENT", "LIST")).AsString()!.Contains($"id={victimId} "), "the victim leaves CLIENT LIST");
        Assert.Equal(":0\r\n", await killer.RawAsync("CLIENT", "KILL", "ID", victimId.ToString()));
    }

    [Fact]
    public async Task Killed_clients_are_gone_as_soon_as_kill_replies()
    {
        // Redis frees the other clients inside CLIENT KILL: the next command no longer sees them.
        await using var silo = await SiloUnderTest.StartAsync();
        var killer = await silo.ConnectServedAsync();
        for (var i = 0; i < 20; i++)
        {
            await silo.ConnectServedAsync();
        }
        var id = (await killer.ExecuteAsync("CLIENT", "ID")).AsInt64();
        await killer.SendRawAsync(Wire.Bytes(
            Wire.Multibulk("CLIENT", "KILL", "USER", "default") + Wire.Multibulk("CLIENT", "LIST")
            + Wire.Multibulk("INFO", "clients") + Wire.Multibulk("CLIENT", "KILL", "USER", "default")));
        Assert.Equal(":20\r\n", Wire.Text(await killer.ReadRawReplyAsync()));
        var list = (await killer.ReadReplyAsync()).AsString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(list.Length == 1, $"CLIENT LIST right after CLIENT KILL still shows {list.Length - 1} killed clients");
        Assert.StartsWith($"id={id} ", list[0]);
        Assert.Contains("\r\nconnected_clients:1\r\n", (await killer.ReadReplyAsync()).AsString());
        Assert.Equal(":0\r\n", Wire.Text(await killer.ReadRawReplyAsync()));
    }

    [Fact]
    public async Task Kill_by_address_old_form()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (killer, victim) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        var info = (await victim.ExecuteAsync("CLIENT", "INFO")).AsString()!;
        var address = info.Split(' ').Single(field => field.StartsWith("addr=", StringComparison.Ordinal))["addr=".Length..];
        Assert.Equal("+OK\r\n", await killer.RawAsync("CLIENT", "KILL", address));
        await Wire.AssertClosedByServerAsync(victim);
        await Wire.WaitUntilAsync(async () => !(await killer.ExecuteAsync("CLIENT", "LIST")).AsString()!.Contains($"addr={address} "), "the victim leaves CLIENT LIST");
        Assert.Equal("-ERR No such client\r\n", await killer.RawAsync("CLIENT", "KILL", address));
    }

    [Fact]
    public async Task Kill_skipme_yes_spares_the_caller_and_no_kills_it()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        // Served once, so that the silo has registered both before the kills.
        var (client, other) = (await silo.ConnectServedAsync(), await silo.ConnectServedAsync());
        var id = (await client.ExecuteAsync("CLIENT", "ID")).AsInt64().ToString();
        Assert.Equal(":0\r\n", await client.RawAsync("CLIENT", "KILL", "ID", id));
        Assert.Equal(":0\r\n", await client.RawAsync("CLIENT", "KILL", "ID", id, "SKIPME", "yes"));
        Assert.Equal("+PONG\r\n", await client.RawAsync("PING"));

        // USER default matches every connection; SKIPME (default yes) spares the caller.
        Assert.Equal(":1\r\n", await client.RawAsync("CLIENT", "KILL", "USER", "default"));
        await Wire.AssertClosedByServerAsync(other);
        Assert.Equal("+PONG\r\n", await client.RawAsync("PING"));

        // The reply is still delivered before the caller's own connection closes.
        Assert.Equal(":1\r\n", await client.RawAsync("CLIENT", "KILL", "ID", id, "SKIPME", "no"));
        await Wire.AssertClosedByServerAsync(client);

        var fresh = await silo.ConnectAsync();
        Assert.Equal("+PONG\r\n", await fresh.RawAsync("PING"));
    }

    [Fact]
    public async Task Client_info_has_the_fields_of_redis_7_0_plus_the_7_2_library_fields()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var silo = await SiloUnderTest.StartAsync();
        await using var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var client = await silo.ConnectAsync();
        var expected = FieldNames((await redisClient.ExecuteAsync("CLIENT", "INFO")).AsString()!);
        var actual = FieldNames((await client.ExecuteAsync("CLIENT", "INFO")).AsString()!);
        // CLIENT SETINFO is Redis 7.2's (clients send it on connect); its lib-name/lib-ver fields close the line as in 7.2.
        Assert.Equal(string.Join(' ', expected.Append("lib-name").Append("lib-ver")), string.Join(' ', actual));
        Assert.Equal("+OK\r\n", await client.RawAsync("CLIENT", "SETINFO", "lib-name", "x"));
        Assert.Contains("lib-name=x ", (await client.ExecuteAsync("CLIENT", "INFO")).AsString());
    }

    [Fact]
    public async Task Kill_argument_errors()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        Assert.Equal("-ERR client-id should be greater than 0\r\n", await client.RawAsync("CLIENT", "KILL", "ID", "0"));
        Assert.Equal("-ERR syntax error\r\n", await client.RawAsync("CLIENT", "KILL", "ID", "1", "SKIPME", "maybe"));
        Assert.Equal("-ERR Unknown client type 'bogus'\r\n", await client.RawAsync("CLIENT", "KILL", "TYPE", "bogus"));
    }

    private static string[] FieldNames(string line) =>
        line.TrimEnd('\n').Split(' ').Select(field => field[..field.IndexOf('=')]).ToArray();
}
