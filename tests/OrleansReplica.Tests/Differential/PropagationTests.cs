using System.Buffers;
using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Tests.Integration;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Differential;

/// <summary>
/// Runs every script in Differential/PropagationScripts against a real redis-server 7.0 writing an AOF
/// and against a silo whose propagated writes are captured as an AOF file would hold them, then
/// compares the two streams: the same commands, byte for byte, except that absolute times near now
/// (the PXAT / PEXPIREAT Redis computes from relative ones) may differ by a few seconds.
/// </summary>
public sealed class PropagationTests
{
    private const long TimeTolerance = 5_000;
    private const long NearNow = 24 * 60 * 60 * 1000;

    private static readonly string ScriptDirectory = DifferentialScript.Directory("PropagationScripts");

    public static TheoryData<string> Scripts() => DifferentialScript.Names(ScriptDirectory);

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Propagated_stream_matches_redis_aof(string script)
    {
        var steps = await DifferentialScript.LoadAsync(ScriptDirectory, script);
        await using var server = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var capture = new AofCapture();
        silo.Silo.Propagation.AddSink(capture);
        await using var redis = await RedisConnection.ConnectAsync("127.0.0.1", server.Port);
        var siloClient = await silo.ConnectAsync();
        foreach (var connection in new[] { redis, siloClient })
        {
            // Keys then expire only where a command finds them, at the same point on both sides.
            await connection.ExecuteRawAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        }

        var differences = new List<string>();
        foreach (var step in steps)
        {
            if (step.SwitchProtocol is { } protocol)
            {
                await redis.ExecuteRawAsync("HELLO", protocol.ToString());
                await siloClient.ExecuteRawAsync("HELLO", protocol.ToString());
                continue;
            }
            var arguments = step.Arguments.Cast<object>().ToArray();
            var expected = await redis.ExecuteRawAsync(arguments);
            var actual = await siloClient.ExecuteRawAsync(arguments);
            if (!Replies.Match(expected, actual, step.Comparison))
            {
                differences.Add($"reply of line {step.Line}: {step.Text}\n    redis: {Replies.Show(expected)}\n    silo:  {Replies.Show(actual)}");
            }
        }

        // With appendfsync always, Redis writes the AOF before it sends the reply.
        var redisStream = ParseStream(await File.ReadAllBytesAsync(Path.Combine(server.Dir, "appendonlydir", "appendonly.aof.1.incr.aof")), "redis");
        var siloStream = ParseStream(capture.ToArray(), "silo");
        var streamDifference = CompareStreams(redisStream, siloStream);
        if (streamDifference is not null)
        {
            differences.Add(streamDifference);
        }
        Assert.True(differences.Count == 0, $"{script}.redis differs from redis-server:\n" + string.Join("\n", differences));
    }

    [Fact]
    public void Streams_with_times_near_now_compare_within_the_tolerance()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        List<byte[][]> Stream(long time, string far) =>
        [
            [Bytes("SET"), Bytes("k"), Bytes("v"), Bytes("PXAT"), Bytes(time.ToString())],
            [Bytes("PEXPIREAT"), Bytes("k"), Bytes(far)],
        ];
        Assert.Null(CompareStreams(Stream(now + 100_000, "4102444800000"), Stream(now + 100_020, "4102444800000")));
        Assert.NotNull(CompareStreams(Stream(now + 100_000, "4102444800000"), Stream(now + 200_000, "4102444800000")));
        Assert.NotNull(CompareStreams(Stream(now, "4102444800000"), Stream(now, "4102444800001")));
        Assert.NotNull(CompareStreams(Stream(now, "1"), [.. Stream(now, "1").Take(1)]));
    }

    [Fact]
    public void Capture_selects_the_database_before_its_first_command_as_an_aof_does()
    {
        var capture = new AofCapture();
        capture.Append(0, "*2\r\n$3\r\nDEL\r\n$1\r\na\r\n"u8);
        capture.Append(-1, "*1\r\n$5\r\nMULTI\r\n"u8);
        capture.Append(0, "*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n"u8);
        capture.Append(3, "*2\r\n$3\r\nDEL\r\n$1\r\nc\r\n"u8);
        capture.Append(-1, "*1\r\n$4\r\nEXEC\r\n"u8);
        var commands = ParseStream(capture.ToArray(), "capture").Select(static command => Render(command));
        Assert.Equal(["SELECT 0", "DEL a", "MULTI", "DEL b", "SELECT 3", "DEL c", "EXEC"], commands);
    }

    /// <summary>Null when the streams hold the same commands; otherwise both listings, the first difference marked.</summary>
    private static string? CompareStreams(List<byte[][]> expected, List<byte[][]> actual)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var first = -1;
        for (var i = 0; i < Math.Max(expected.Count, actual.Count) && first < 0; i++)
        {
            if (i >= expected.Count || i >= actual.Count || !CommandsMatch(expected[i], actual[i], now))
            {
                first = i;
            }
        }
        if (first < 0)
        {
            return null;
        }
        return $"propagated streams differ at command {first + 1} (times near now shown as <ms>):\n" +
            $"  redis ({expected.Count} commands):\n{Listing(expected, first, now)}\n" +
            $"  silo ({actual.Count} commands):\n{Listing(actual, first, now)}";
    }

    private static bool CommandsMatch(byte[][] expected, byte[][] actual, long now)
    {
        if (expected.Length != actual.Length)
        {
            return false;
        }
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].AsSpan().SequenceEqual(actual[i]))
            {
                continue;
            }
            if (!IsTimeNear(expected[i], now, out var a) || !IsTimeNear(actual[i], now, out var b) || Math.Abs(a - b) > TimeTolerance)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>An argument that reads as Unix ms within a day of now: an absolute time computed from a relative one.</summary>
    private static bool IsTimeNear(byte[] argument, long now, out long ms) =>
        long.TryParse(Encoding.ASCII.GetString(argument), out ms) && Math.Abs(ms - now) <= NearNow;

    private static string Listing(List<byte[][]> commands, int marked, long now)
    {
        var lines = commands.Select((command, i) => (i == marked ? "  > " : "    ") + Render(command, now));
        return string.Join("\n", lines);
    }

    private static string Render(byte[][] command) => Render(command, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static string Render(byte[][] command, long now) =>
        string.Join(" ", command.Select(argument => IsTimeNear(argument, now, out _) ? "<ms>" : Quote(argument)));

    private static string Quote(byte[] argument)
    {
        var plain = argument.Length > 0 && argument.All(static b => b > 0x20 && b < 0x7F && b != (byte)'"' && b != (byte)'\\');
        if (plain)
        {
            return Encoding.ASCII.GetString(argument);
        }
        var text = new StringBuilder("\"");
        foreach (var b in argument)
        {
            text.Append(b >= 0x20 && b < 0x7F && b != (byte)'"' && b != (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }
        return text.Append('"').ToString();
    }

    /// <summary>Splits an AOF-style stream into its commands; it must consist of RESP multibulks of bulk strings only.</summary>
    private static List<byte[][]> ParseStream(byte[] stream, string source)
    {
        var commands = new List<byte[][]>();
        var position = 0;
        while (position < stream.Length)
        {
            var count = ReadHeader(stream, ref position, '*', source);
            var command = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                var length = ReadHeader(stream, ref position, '$', source);
                if (position + length + 2 > stream.Length || stream[position + length] != '\r' || stream[position + length + 1] != '\n')
                {
                    throw new FormatException($"{source}: bulk string at {position} is not terminated by CRLF");
                }
                command[i] = stream.AsSpan(position, length).ToArray();
                position += length + 2;
            }
            commands.Add(command);
        }
        return commands;
    }

    private static int ReadHeader(byte[] stream, ref int position, char kind, string source)
    {
        var end = stream.AsSpan(position).IndexOf("\r\n"u8);
        if (end < 2 || stream[position] != kind || !int.TryParse(Encoding.ASCII.GetString(stream, position + 1, end - 1), out var value) || value < 0)
        {
            throw new FormatException($"{source}: expected a '{kind}' header at byte {position}");
        }
        position += end + 2;
        return value;
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Keeps the propagated writes as an AOF file holds them: SELECT when the database changes, then the command.</summary>
    private sealed class AofCapture : IPropagationSink
    {
        private readonly Lock _gate = new();
        private readonly ArrayBufferWriter<byte> _bytes = new();
        private readonly SelectedDatabase _selected = new();

        public void Append(int db, ReadOnlySpan<byte> command)
        {
            lock (_gate)
            {
                _selected.SelectFor(db, _bytes);
                _bytes.Write(command);
            }
        }

        public byte[] ToArray()
        {
            lock (_gate)
            {
                return _bytes.WrittenSpan.ToArray();
            }
        }
    }
}
