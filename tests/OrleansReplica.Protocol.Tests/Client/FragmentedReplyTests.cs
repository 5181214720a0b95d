using System.Net.Sockets;
using OrleansReplica.Client;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Client;

/// <summary>Replies delivered a few bytes at a time by a scripted peer must parse exactly as when delivered at once.</summary>
public sealed class FragmentedReplyTests
{
    public static TheoryData<string> Replies =>
    [
        "+OK\r\n",
        "-ERR bad\r\n",
        ":-42\r\n",
        "$5\r\na\r\nbc\r\n",
        "$0\r\n\r\n",
        "$-1\r\n",
        "*-1\r\n",
        "*0\r\n",
        "*3\r\n:1\r\n*2\r\n$1\r\nx\r\n*0\r\n_\r\n",
        "_\r\n",
        ",1.5\r\n",
        ",-inf\r\n",
        "#t\r\n",
        "(12345678901234567890123\r\n",
        "=8\r\ntxt:a\r\nb\r\n",
        "!8\r\nERR a\r\nb\r\n",
        "%2\r\n+a\r\n:1\r\n+b\r\n%1\r\n+c\r\n~1\r\n:2\r\n",
        "~2\r\n+x\r\n+y\r\n",
        ">2\r\n+message\r\n$2\r\nhi\r\n",
        "|1\r\n+ttl\r\n:5\r\n$3\r\nval\r\n",
        "*2\r\n|1\r\n+a\r\n:1\r\n:10\r\n:20\r\n",
        "|0\r\n:7\r\n",
    ];

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task Reply_split_into_single_bytes_is_read_whole(string reply)
    {
        byte[] bytes = Latin1.Bytes(reply);
        byte[] next = "+NEXT\r\n"u8.ToArray();
        await using var peer = await ScriptedPeer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", peer.Port);
        var server = await peer.AcceptAsync();

        var read = connection.ReadRawReplyAsync();
        foreach (byte b in bytes.Concat(next))
        {
            await server.SendAsync(new[] { b }, SocketFlags.None);
        }

        Assert.Equal(bytes, await read);
        Assert.Equal(new RespSimpleString("NEXT"), await connection.ReadReplyAsync());
    }

    [Fact]
    public async Task Parsed_values_of_rare_frames()
    {
        await using var peer = await ScriptedPeer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", peer.Port);
        var server = await peer.AcceptAsync();
        await server.SendAsync(Latin1.Bytes("!8\r\nERR a\r\nb\r\n*2\r\n|1\r\n+a\r\n:1\r\n:10\r\n:20\r\n(123\r\n,nan\r\n"), SocketFlags.None);

        Assert.Equal(new RespError("ERR a\r\nb"), await connection.ReadReplyAsync());
        var array = await connection.ReadReplyAsync();
        Assert.Equal(new RespArray(new RespInteger(10) { Attributes = new RespMap([new(new RespSimpleString("a"), new RespInteger(1))]) }, new RespInteger(20)), array);
        Assert.Equal(new RespBigNumber("123"), await connection.ReadReplyAsync());
        Assert.True(double.IsNaN(Assert.IsType<RespDouble>(await connection.ReadReplyAsync()).Value));
    }

    [Fact]
    public async Task Invalid_reply_type_is_a_protocol_exception()
    {
        await using var peer = await ScriptedPeer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", peer.Port);
        var server = await peer.AcceptAsync();
        await server.SendAsync("?x\r\n"u8.ToArray(), SocketFlags.None);

        await Assert.ThrowsAsync<RespProtocolException>(() => connection.ReadReplyAsync());
    }

    [Fact]
    public async Task Commands_are_sent_as_multibulk()
    {
        await using var peer = await ScriptedPeer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", peer.Port);
        var server = await peer.AcceptAsync();

        var execute = connection.ExecuteAsync("SET", "k", new byte[] { 0, 255 }, 42, -1.5, double.PositiveInfinity);
        byte[] expected = Latin1.Bytes("*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\0\xff\r\n$2\r\n42\r\n$4\r\n-1.5\r\n$4\r\n+inf\r\n");
        var received = new byte[expected.Length];
        int total = 0;
        while (total < received.Length)
        {
            total += await server.ReceiveAsync(received.AsMemory(total), SocketFlags.None);
        }

        await server.SendAsync("+OK\r\n"u8.ToArray(), SocketFlags.None);

        Assert.Equal(expected, received);
        Assert.Equal(RespSimpleString.Ok, await execute);
    }
}
