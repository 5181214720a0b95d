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
    private static readonly string ScriptDirectory = DifferentialScript.Directory("Scripts");

    public static TheoryData<string> Scripts() => DifferentialScript.Names(ScriptDirectory);

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_replies_match_redis(string script)
    {
        var steps = await DifferentialScript.LoadAsync(ScriptDirectory, script);
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
            if (!Replies.Match(expected, actual, step.Comparison))
            {
                differences.Add($"line {step.Line}: {step.Text}\n    redis: {Replies.Show(expected)}\n    silo:  {Replies.Show(actual)}");
            }
        }
        Assert.True(differences.Count == 0, $"{differences.Count} replies differ from redis-server in {script}.redis:\n" + string.Join("\n", differences));
    }
}
