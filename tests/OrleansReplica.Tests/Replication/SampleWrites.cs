using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>Writes of many kinds (strings, counters, expires, renames, deletes, another database, a transaction) to replicate.</summary>
public static class SampleWrites
{
    /// <summary>Keys are prefixed with <paramref name="round"/>, so rounds add to each other.</summary>
    public static async Task WriteAsync(RedisConnection client, string round)
    {
        for (var i = 0; i < 50; i++)
        {
            await client.ExecuteAsync("SET", $"{round}:{i}", i % 2 == 0 ? i.ToString() : $"text {i}");
        }
        await client.ExecuteAsync("SET", $"{round}:ttl", "x", "EX", "1000");
        await client.ExecuteAsync("EXPIRE", $"{round}:1", "5000");
        await client.ExecuteAsync("INCRBYFLOAT", $"{round}:float", "1.25");
        await client.ExecuteAsync("APPEND", $"{round}:3", "+");
        await client.ExecuteAsync("MSET", $"{round}:m1", "a", $"{round}:m2", "b");
        await client.ExecuteAsync("RENAME", $"{round}:m2", $"{round}:m3");
        await client.ExecuteAsync("DEL", $"{round}:5");
        await client.ExecuteAsync("SELECT", "3");
        await client.ExecuteAsync("MULTI");
        await client.ExecuteAsync("SET", $"{round}:db3", "three");
        await client.ExecuteAsync("INCR", $"{round}:db3:n");
        await client.ExecuteAsync("EXEC");
        await client.ExecuteAsync("SELECT", "0");
    }

    /// <summary>SET key:i value:i for i below <paramref name="count"/>, pipelined in one send, then every reply read.</summary>
    public static async Task PipelineKeysAsync(RedisConnection client, int count)
    {
        var load = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            load.Append(Wire.Multibulk("SET", $"key:{i}", $"value:{i}"));
        }
        await client.SendRawAsync(Wire.Bytes(load.ToString()));
        for (var i = 0; i < count; i++)
        {
            await client.ReadRawReplyAsync();
        }
    }
}
