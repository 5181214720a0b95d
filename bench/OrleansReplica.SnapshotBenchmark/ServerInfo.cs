using OrleansReplica.Client;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>Reads fields of an INFO section ("name:value" lines).</summary>
internal static class ServerInfoFields
{
    public static async Task<string> SectionAsync(RedisConnection connection, string section)
    {
        var reply = await connection.ExecuteAsync("INFO", section);
        return reply.AsString() ?? throw new InvalidOperationException($"INFO {section} failed: {reply}");
    }

    /// <summary>The value of <paramref name="name"/>, or null when the section has no such field.</summary>
    public static string? Field(string info, string name)
    {
        foreach (var line in info.Split("\r\n"))
        {
            if (line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.Ordinal))
            {
                return line[(name.Length + 1)..];
            }
        }

        return null;
    }

    public static long Int64(string info, string name) =>
        long.Parse(Field(info, name) ?? throw new InvalidOperationException($"INFO has no {name}"), System.Globalization.CultureInfo.InvariantCulture);
}
