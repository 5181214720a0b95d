using System.Text;
using OrleansReplica.Client;

namespace OrleansReplica.Tests.Differential;

/// <summary>
/// Runs every script in Differential/Scripts against a real redis-server 7.0 and against a silo,
/// comparing each reply byte for byte (errors included).
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class DifferentialTests(DifferentialFixture fixture)
{
    private static readonly string ScriptDirectory = Path.Combine(AppContext.BaseDirectory, "Differential", "Scripts");

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(ScriptDirectory, "*.redis").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_replies_match_redis(string script)
    {
        var steps = DifferentialScript.Parse(await File.ReadAllTextAsync(Path.Combine(ScriptDirectory, script + ".redis")));
        await using var redis = await RedisConnection.ConnectAsync("127.0.0.1", fixture.Redis.Port);
        await using var silo = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort);
        foreach (var connection in new[] { redis, silo })
        {
            await connection.ExecuteRawAsync("FLUSHALL");
        }
        var differences = new List<string>();
        foreach (var step in steps)
        {
            if (step.SwitchProtocol is { } protocol)
            {
                await redis.ExecuteRawAsync("HELLO", protocol.ToString());
                await silo.ExecuteRawAsync("HELLO", protocol.ToString());
                continue;
            }
            var arguments = step.Arguments.Cast<object>().ToArray();
            var expected = await redis.ExecuteRawAsync(arguments);
            var actual = await silo.ExecuteRawAsync(arguments);
            if (!Matches(expected, actual, step.Comparison))
            {
                differences.Add($"line {step.Line}: {step.Text}\n    redis: {Show(expected)}\n    silo:  {Show(actual)}");
            }
        }
        Assert.True(differences.Count == 0, $"{differences.Count} replies differ from redis-server in {script}.redis:\n" + string.Join("\n", differences));
    }

    private static bool Matches(byte[] expected, byte[] actual, ReplyComparison comparison) => comparison switch
    {
        ReplyComparison.TypeOnly => expected.Length > 0 && actual.Length > 0 && expected[0] == actual[0],
        ReplyComparison.Approximate when IsInteger(expected, out var a) && IsInteger(actual, out var b) => Math.Abs(a - b) <= 2,
        _ => expected.AsSpan().SequenceEqual(actual),
    };

    private static bool IsInteger(byte[] reply, out long value)
    {
        value = 0;
        return reply.Length > 3 && reply[0] == (byte)':' && long.TryParse(Encoding.ASCII.GetString(reply, 1, reply.Length - 3), out value);
    }

    private static string Show(byte[] reply)
    {
        var text = Encoding.UTF8.GetString(reply).Replace("\r\n", "\\r\\n");
        return text.Length > 400 ? text[..400] + "..." : text;
    }
}
