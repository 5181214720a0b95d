using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>
/// A master drops replicas that stop acknowledging (repl-timeout) or fall too far behind
/// (client-output-buffer-limit replica), as Redis does. The replica here is a bare connection
/// that speaks just enough of the protocol.
/// </summary>
public sealed class MasterLimitsTests
{
    [Fact]
    public async Task A_replica_that_stops_acknowledging_is_dropped_after_repl_timeout()
    {
        await using var master = await SiloUnderTest.StartAsync(("repl-diskless-sync-delay", "0"), ("repl-timeout", "1"));
        var client = await master.ConnectAsync();
        using var replica = await AttachSilentReplicaAsync(master);
        Assert.Equal("1", (await client.InfoAsync("replication"))["connected_slaves"]);

        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("replication"))["connected_slaves"] == "0", "the silent replica to be dropped");
    }

    [Fact]
    public async Task A_replica_over_its_output_limit_is_dropped()
    {
        await using var master = await SiloUnderTest.StartAsync(("repl-diskless-sync-delay", "0"), ("client-output-buffer-limit", "replica 64kb 0 0"));
        var client = await master.ConnectAsync();
        using var replica = await AttachSilentReplicaAsync(master);
        // The replica reads nothing more: what the master sends fills the socket buffers (megabytes
        // on loopback), then piles up until the hard limit.
        var value = new string('x', 10_000);
        for (var i = 0; i < 5000; i++)
        {
            await client.ExecuteAsync("SET", $"k{i % 10}", value);
            if (i % 50 == 0 && (await client.InfoAsync("replication"))["connected_slaves"] == "0")
            {
                break;
            }
        }

        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("replication"))["connected_slaves"] == "0", "the slow replica to be dropped");
    }

    [Fact]
    public async Task A_master_without_replicas_frees_its_backlog_after_repl_backlog_ttl()
    {
        await using var master = await SiloUnderTest.StartAsync(("repl-diskless-sync-delay", "0"), ("repl-backlog-ttl", "1"));
        var client = await master.ConnectAsync();
        using (await AttachSilentReplicaAsync(master))
        {
            Assert.Equal("1", (await client.InfoAsync("replication"))["repl_backlog_active"]);
        }
        var replId = (await client.InfoAsync("replication"))["master_replid"];

        await Wire.WaitUntilAsync(async () => (await client.InfoAsync("replication"))["repl_backlog_active"] == "0", "the idle backlog to be freed");
        Assert.NotEqual(replId, (await client.InfoAsync("replication"))["master_replid"]);
        Assert.Equal("OK", (await client.ExecuteAsync("SET", "still", "writable")).AsString());
    }

    /// <summary>PSYNC, read the transfer, acknowledge once, then stay silent and read nothing.</summary>
    private static async Task<TcpClient> AttachSilentReplicaAsync(SiloUnderTest master)
    {
        var replica = new TcpClient();
        await replica.ConnectAsync(IPAddress.Loopback, master.Port);
        var stream = replica.GetStream();
        await stream.WriteAsync(Wire.Bytes(Wire.Multibulk("REPLCONF", "capa", "eof", "capa", "psync2") + Wire.Multibulk("PSYNC", "?", "-1")));
        var received = new List<byte>();
        var buffer = new byte[4096];
        async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var newline = received.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString([.. received.Take(newline + 1)]).TrimEnd();
                    received.RemoveRange(0, newline + 1);
                    return line;
                }
                var read = await stream.ReadAsync(buffer);
                Assert.True(read > 0, "the master closed the link");
                received.AddRange(buffer.Take(read));
            }
        }
        Assert.Equal("+OK", await ReadLineAsync());
        var fullResync = await ReadLineAsync();
        Assert.StartsWith("+FULLRESYNC ", fullResync);
        var offset = fullResync.Split(' ')[2];
        var header = await ReadLineAsync();
        Assert.StartsWith("$EOF:", header);
        // The diskless transfer ends with the 40-byte mark it started with.
        var mark = header[5..];
        while (received.Count < mark.Length || Encoding.ASCII.GetString([.. received.TakeLast(mark.Length)]) != mark)
        {
            var read = await stream.ReadAsync(buffer);
            Assert.True(read > 0, "the master closed the link");
            received.AddRange(buffer.Take(read));
        }
        await stream.WriteAsync(Wire.Bytes(Wire.Multibulk("REPLCONF", "ACK", offset)));
        return replica;
    }
}
