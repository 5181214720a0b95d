using OrleansReplica.Client;

namespace OrleansReplica.Tests.Integration;

/// <summary>HELLO 3 switches the connection to RESP3 (map replies, "_" nulls); RESET returns to RESP2 and db 0.</summary>
public sealed class Resp3Tests
{
    [Fact]
    public async Task Hello_3_returns_the_server_map()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        var id = (await client.ExecuteAsync("CLIENT", "ID")).AsInt64();
        var raw = await client.RawAsync("HELLO", "3");
        Assert.Equal(
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
            + $"$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
            raw);
    }

    [Fact]
    public async Task Hello_2_returns_the_same_fields_as_a_flat_array()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        var hello = (await client.ExecuteAsync("HELLO", "2")).AsList();
        Assert.IsType<RespBulkString>(hello[0]);
        var fields = hello.Where((_, i) => i % 2 == 0).Select(v => v.AsString()!).ToArray();
        Assert.Equal(new[] { "server", "version", "proto", "id", "mode", "role", "modules" }, fields);
        Assert.Equal(2, hello[5].AsInt64());
    }

    [Fact]
    public async Task After_hello_3_nulls_and_maps_use_resp3_types()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.ExecuteAsync("HELLO", "3");
        Assert.Equal("_\r\n", await client.RawAsync("GET", "missing"));
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "a", "1"));
        Assert.Equal("*2\r\n$1\r\n1\r\n_\r\n", await client.RawAsync("MGET", "a", "missing"));
        Assert.Equal("%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", await client.RawAsync("CONFIG", "GET", "maxmemory"));
        Assert.IsType<RespMap>(await client.ExecuteAsync("CONFIG", "GET", "max*"));
    }

    [Fact]
    public async Task Reset_returns_to_resp2_and_database_0()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.ExecuteAsync("HELLO", "3");
        Assert.Equal("+OK\r\n", await client.RawAsync("SELECT", "2"));
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "in-db2", "x"));
        Assert.Equal("+OK\r\n", await client.RawAsync("CLIENT", "SETNAME", "before-reset"));
        Assert.Equal("+RESET\r\n", await client.RawAsync("RESET"));
        Assert.Equal("$-1\r\n", await client.RawAsync("GET", "in-db2"));
        Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", await client.RawAsync("CONFIG", "GET", "maxmemory"));
        var info = (await client.ExecuteAsync("CLIENT", "INFO")).AsString()!;
        Assert.Contains(" db=0 ", info);
        Assert.Contains(" resp=2", info);
        Assert.Contains(" name= ", info);
        Assert.Equal("+OK\r\n", await client.RawAsync("SELECT", "2"));
        Assert.Equal("$1\r\nx\r\n", await client.RawAsync("GET", "in-db2"));
    }

    [Fact]
    public async Task Unsupported_protocol_version_is_refused()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        Assert.Equal("-NOPROTO unsupported protocol version\r\n", await client.RawAsync("HELLO", "4"));
        Assert.Equal("$-1\r\n", await client.RawAsync("GET", "missing"));
    }
}
