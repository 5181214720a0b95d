using System.Text;
using OrleansReplica.Client;

namespace OrleansReplica.Tests.Integration;

/// <summary>Whatever bytes clients send, the silo keeps serving the others and new ones.</summary>
public sealed class GarbageInputTests
{
    // Fragments that steer random input into the parser's deeper states.
    private static readonly string[] Fragments =
    [
        "*", "$", "\r\n", "\n", "\"", "'", "\\x", "*-1\r\n", "*0\r\n", "*2\r\n$3\r\nGET\r\n", "$-1\r\n", "*99999999\r\n",
        "$2147483648\r\n", "*1\r\n$4\r\nPING\r\n", "MULTI\r\n", "EXEC\r\n", "WATCH a b\r\n", "SET a 1\r\n", "INCR a\r\n",
        "MSET a 1 b 2 c 3\r\n", "HELLO 3\r\n", "CLIENT SETNAME x\r\n", " ", "\0", "\xff",
    ];

    [Fact]
    public async Task Random_bytes_on_many_connections_never_stop_the_silo()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var observer = await silo.ConnectServedAsync();
        var random = new Random(20240611);
        var sends = new List<Task>();
        for (var c = 0; c < 8; c++)
        {
            var client = await silo.ConnectAsync();
            var chunks = Enumerable.Range(0, 40).Select(_ => NextChunk(random)).ToArray();
            sends.Add(SendIgnoringClosureAsync(client, chunks));
        }
        await Task.WhenAll(sends);

        Assert.Equal("+PONG\r\n", await observer.RawAsync("PING"));
        var fresh = await silo.ConnectAsync();
        Assert.Equal("+PONG\r\n", await fresh.RawAsync("PING"));
        Assert.Equal("+OK\r\n", await fresh.RawAsync("SET", "after", "garbage"));
        Assert.Equal("$7\r\ngarbage\r\n", await fresh.RawAsync("GET", "after"));
        Assert.Equal("+OK\r\n", await fresh.RawAsync("FLUSHALL"));
        await Wire.WaitUntilAsync(async () => ConnectedClients(await fresh.ExecuteAsync("INFO", "clients")) == 2, "only the observer and the fresh client remain");
    }

    [Fact]
    public async Task Connections_dropped_mid_request_are_cleaned_up()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var observer = await silo.ConnectServedAsync();
        var random = new Random(77);
        for (var c = 0; c < 20; c++)
        {
            await using var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
            // A complete MULTI/WATCH state, then half a request, then the client vanishes.
            await client.SendRawAsync(Encoding.ASCII.GetBytes("WATCH a b\r\nMULTI\r\nSET a 1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$10\r\nabc"));
            await client.SendRawAsync(NextChunk(random));
        }
        await Wire.WaitUntilAsync(async () => ConnectedClients(await observer.ExecuteAsync("INFO", "clients")) == 1, "the dropped connections are gone");
        Assert.Equal(":0\r\n", await observer.RawAsync("EXISTS", "a", "b"));
        Assert.Equal("+OK\r\n", await observer.RawAsync("MSET", "a", "1", "b", "2"));
        Assert.Equal("+PONG\r\n", await observer.RawAsync("PING"));
    }

    private static byte[] NextChunk(Random random)
    {
        var chunk = new List<byte>();
        var parts = random.Next(1, 12);
        for (var p = 0; p < parts; p++)
        {
            if (random.Next(3) == 0)
            {
                var raw = new byte[random.Next(1, 200)];
                random.NextBytes(raw);
                chunk.AddRange(raw);
            }
            else
            {
                chunk.AddRange(Encoding.Latin1.GetBytes(Fragments[random.Next(Fragments.Length)]));
            }
        }
        return [.. chunk];
    }

    /// <summary>Sends every chunk (replies are never read), stops once the silo closes the connection, then disconnects.</summary>
    private static async Task SendIgnoringClosureAsync(RedisConnection client, byte[][] chunks)
    {
        try
        {
            foreach (var chunk in chunks)
            {
                await client.SendRawAsync(chunk);
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    private static long ConnectedClients(RespValue info)
    {
        var line = info.AsString()!.Split("\r\n").Single(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return long.Parse(line["connected_clients:".Length..]);
    }
}
