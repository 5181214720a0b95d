using System.Globalization;
using OrleansReplica.Client;
using StackExchange.Redis;

namespace OrleansReplica.Tests.Integration;

/// <summary>
/// Pub/Sub between connections: delivery in RESP2 arrays and RESP3 push frames, patterns and shard
/// channels, the counts PUBSUB / INFO / CLIENT LIST report, and cleanup on UNSUBSCRIBE, RESET,
/// disconnect and when a subscriber falls behind its output buffer limit.
/// </summary>
public sealed class PubSubTests
{
    private static string Message(string channel, string payload, char header = '*') =>
        $"{header}3\r\n$7\r\nmessage\r\n${channel.Length}\r\n{channel}\r\n${payload.Length}\r\n{payload}\r\n";

    private static string PatternMessage(string pattern, string channel, string payload, char header = '*') =>
        $"{header}4\r\n$8\r\npmessage\r\n${pattern.Length}\r\n{pattern}\r\n${channel.Length}\r\n{channel}\r\n${payload.Length}\r\n{payload}\r\n";

    private static string Confirmation(string kind, string name, int count, char header = '*') =>
        $"{header}3\r\n${kind.Length}\r\n{kind}\r\n${name.Length}\r\n{name}\r\n:{count}\r\n";

    private static async Task<string> NextAsync(RedisConnection connection) => Wire.Text(await connection.ReadRawReplyAsync());

    [Fact]
    public async Task A_resp2_subscriber_receives_published_messages_as_arrays()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal(Confirmation("subscribe", "news", 1), await subscriber.RawAsync("SUBSCRIBE", "news"));

        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "news", "hello"));
        Assert.Equal(Message("news", "hello"), await NextAsync(subscriber));
        Assert.Equal(":0\r\n", await publisher.RawAsync("PUBLISH", "other", "ignored"));
        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "news", "again"));
        Assert.Equal(Message("news", "again"), await NextAsync(subscriber));
    }

    [Fact]
    public async Task A_resp3_subscriber_receives_push_frames_and_may_run_any_command()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.ExecuteAsync("HELLO", "3");
        Assert.Equal(Confirmation("subscribe", "news", 1, '>'), await subscriber.RawAsync("SUBSCRIBE", "news"));
        Assert.Equal("+OK\r\n", await subscriber.RawAsync("SET", "k", "v"));

        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "news", "hello"));
        var push = await subscriber.ReadReplyAsync();
        Assert.IsType<RespPush>(push);
        Assert.Equal(new[] { "message", "news", "hello" }, push.AsList().Select(static v => v.AsString()));
        Assert.Equal("$1\r\nv\r\n", await subscriber.RawAsync("GET", "k"));
    }

    [Fact]
    public async Task Each_subscriber_gets_the_message_in_its_own_protocol()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (resp2, resp3, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync(), await silo.ConnectAsync());
        await resp3.ExecuteAsync("HELLO", "3");
        await resp2.RawAsync("SUBSCRIBE", "ch");
        await resp3.RawAsync("SUBSCRIBE", "ch");

        Assert.Equal(":2\r\n", await publisher.RawAsync("PUBLISH", "ch", "both"));
        Assert.Equal(Message("ch", "both"), await NextAsync(resp2));
        Assert.Equal(Message("ch", "both", '>'), await NextAsync(resp3));
    }

    [Fact]
    public async Task A_resp3_client_publishing_to_itself_gets_the_message_before_the_count()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.ExecuteAsync("HELLO", "3");
        await client.RawAsync("SUBSCRIBE", "self");
        await client.RawAsync("PSUBSCRIBE", "s*");

        Assert.Equal(Message("self", "echo", '>'), await client.RawAsync("PUBLISH", "self", "echo"));
        Assert.Equal(PatternMessage("s*", "self", "echo", '>'), await NextAsync(client));
        Assert.Equal(":2\r\n", await NextAsync(client));
        Assert.Equal("+PONG\r\n", await client.RawAsync("PING"));
    }

    [Fact]
    public async Task Patterns_receive_pmessages_once_per_matching_subscription()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal(Confirmation("psubscribe", "news.*", 1), await subscriber.RawAsync("PSUBSCRIBE", "news.*"));
        Assert.Equal(Confirmation("psubscribe", "*.tech", 2), await subscriber.RawAsync("PSUBSCRIBE", "*.tech"));
        Assert.Equal(Confirmation("subscribe", "news.tech", 3), await subscriber.RawAsync("SUBSCRIBE", "news.tech"));

        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "news.sport", "goal"));
        Assert.Equal(PatternMessage("news.*", "news.sport", "goal"), await NextAsync(subscriber));

        // The channel subscription first, then one pmessage per matching pattern.
        Assert.Equal(":3\r\n", await publisher.RawAsync("PUBLISH", "news.tech", "chip"));
        Assert.Equal(Message("news.tech", "chip"), await NextAsync(subscriber));
        var patterned = new[] { await NextAsync(subscriber), await NextAsync(subscriber) };
        Assert.Equal(
            new[] { PatternMessage("*.tech", "news.tech", "chip"), PatternMessage("news.*", "news.tech", "chip") },
            patterned.Order(StringComparer.Ordinal));

        Assert.Equal(":0\r\n", await publisher.RawAsync("PUBLISH", "weather", "rain"));
        Assert.Equal(Confirmation("punsubscribe", "news.*", 2), await subscriber.RawAsync("PUNSUBSCRIBE", "news.*"));
        Assert.Equal(":0\r\n", await publisher.RawAsync("PUBLISH", "news.sport", "miss"));
    }

    [Fact]
    public async Task Shard_channels_are_separate_from_channels_and_patterns()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal(Confirmation("ssubscribe", "orders", 1), await subscriber.RawAsync("SSUBSCRIBE", "orders"));
        Assert.Equal(Confirmation("psubscribe", "*", 1), await subscriber.RawAsync("PSUBSCRIBE", "*"));

        Assert.Equal(":1\r\n", await publisher.RawAsync("SPUBLISH", "orders", "o1"));
        Assert.Equal("*3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$2\r\no1\r\n", await NextAsync(subscriber));
        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "orders", "o2"));
        Assert.Equal(PatternMessage("*", "orders", "o2"), await NextAsync(subscriber));
        Assert.Equal(":0\r\n", await publisher.RawAsync("SPUBLISH", "other", "o3"));
    }

    [Fact]
    public async Task Messages_arrive_in_publish_order()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.RawAsync("SUBSCRIBE", "seq");
        var pipeline = string.Concat(Enumerable.Range(0, 200).Select(static i => Wire.Multibulk("PUBLISH", "seq", i.ToString())));
        await publisher.SendRawAsync(Wire.Bytes(pipeline));
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(":1\r\n", await NextAsync(publisher));
        }
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(Message("seq", i.ToString()), await NextAsync(subscriber));
        }
    }

    [Fact]
    public async Task A_message_arriving_while_a_request_is_half_received_does_not_disturb_parsing()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.ExecuteAsync("HELLO", "3");
        await subscriber.RawAsync("SUBSCRIBE", "ch");
        var request = Wire.Bytes(Wire.Multibulk("ECHO", "split-request"));
        await subscriber.SendRawAsync(request.AsMemory(0, 10));

        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "ch", "between"));
        Assert.Equal(Message("ch", "between", '>'), await NextAsync(subscriber));
        await subscriber.SendRawAsync(request.AsMemory(10));
        Assert.Equal("$13\r\nsplit-request\r\n", await NextAsync(subscriber));
    }

    [Fact]
    public async Task Counts_show_in_pubsub_info_and_client_list()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, observer) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.ExecuteAsync("HELLO", "3");
        await subscriber.RawAsync("SUBSCRIBE", "a");
        await subscriber.RawAsync("SUBSCRIBE", "b");
        await subscriber.RawAsync("PSUBSCRIBE", "p*");
        await subscriber.RawAsync("SSUBSCRIBE", "s");
        var id = (await subscriber.ExecuteAsync("CLIENT", "ID")).AsInt64();

        Assert.Equal("*4\r\n$1\r\na\r\n:1\r\n$1\r\nz\r\n:0\r\n", await observer.RawAsync("PUBSUB", "NUMSUB", "a", "z"));
        Assert.Equal(":1\r\n", await observer.RawAsync("PUBSUB", "NUMPAT"));
        Assert.Equal("*2\r\n$1\r\ns\r\n:1\r\n", await observer.RawAsync("PUBSUB", "SHARDNUMSUB", "s"));
        var channels = (await observer.ExecuteAsync("PUBSUB", "CHANNELS")).AsList().Select(static v => v.AsString()).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "a", "b" }, channels);
        Assert.Equal("*1\r\n$1\r\nb\r\n", await observer.RawAsync("PUBSUB", "CHANNELS", "b*"));

        var info = (await observer.ExecuteAsync("INFO", "stats")).AsString()!;
        Assert.Contains("\r\npubsub_channels:2\r\n", info);
        Assert.Contains("\r\npubsub_patterns:1\r\n", info);
        Assert.Contains("\r\npubsubshard_channels:1\r\n", info);

        var line = (await observer.ExecuteAsync("CLIENT", "LIST", "ID", id.ToString())).AsString()!;
        Assert.Contains(" flags=P db=0 sub=2 psub=1 ssub=1 ", line);
        Assert.Contains(" flags=N db=0 sub=0 psub=0 ssub=0 ", (await observer.ExecuteAsync("CLIENT", "INFO")).AsString()!);
    }

    [Fact]
    public async Task Unsubscribing_stops_delivery_and_leaves_the_resp2_context()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.RawAsync("SUBSCRIBE", "ch");
        Assert.StartsWith("-ERR Can't execute 'get': only (P|S)SUBSCRIBE", await subscriber.RawAsync("GET", "k"));
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", await subscriber.RawAsync("PING"));

        Assert.Equal(Confirmation("unsubscribe", "ch", 0), await subscriber.RawAsync("UNSUBSCRIBE"));
        Assert.Equal(":0\r\n", await publisher.RawAsync("PUBLISH", "ch", "gone"));
        Assert.Equal("$-1\r\n", await subscriber.RawAsync("GET", "k"));
        Assert.Equal("+PONG\r\n", await subscriber.RawAsync("PING"));
    }

    [Fact]
    public async Task Reset_drops_every_subscription()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.ExecuteAsync("HELLO", "3");
        await subscriber.RawAsync("SUBSCRIBE", "ch");
        await subscriber.RawAsync("PSUBSCRIBE", "c*");
        await subscriber.RawAsync("SSUBSCRIBE", "ch");
        Assert.Equal("+RESET\r\n", await subscriber.RawAsync("RESET"));

        Assert.Equal(":0\r\n", await publisher.RawAsync("PUBLISH", "ch", "x"));
        Assert.Equal(":0\r\n", await publisher.RawAsync("SPUBLISH", "ch", "x"));
        Assert.Equal(":0\r\n", await publisher.RawAsync("PUBSUB", "NUMPAT"));
        Assert.Equal("$-1\r\n", await subscriber.RawAsync("GET", "k"));
        Assert.Contains(" flags=N db=0 sub=0 psub=0 ssub=0 ", (await subscriber.ExecuteAsync("CLIENT", "INFO")).AsString()!);
    }

    [Fact]
    public async Task Closing_a_connection_drops_its_subscriptions()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.RawAsync("SUBSCRIBE", "ch");
        await subscriber.RawAsync("PSUBSCRIBE", "c*");
        await subscriber.RawAsync("SSUBSCRIBE", "s");
        Assert.Equal(":2\r\n", await publisher.RawAsync("PUBLISH", "ch", "x"));

        await subscriber.DisposeAsync();
        await Wire.WaitUntilAsync(async () => await publisher.RawAsync("PUBLISH", "ch", "y") == ":0\r\n", "the closed subscriber is gone");
        Assert.Equal(":0\r\n", await publisher.RawAsync("SPUBLISH", "s", "y"));
        var info = (await publisher.ExecuteAsync("INFO", "stats")).AsString()!;
        Assert.Contains("\r\npubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\n", info);
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_closed_past_the_pubsub_hard_limit()
    {
        await using var silo = await SiloUnderTest.StartAsync(("client-output-buffer-limit", "pubsub 1mb 0 0"));
        var (slow, reader, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync(), await silo.ConnectAsync());
        await slow.RawAsync("SUBSCRIBE", "firehose");
        await reader.RawAsync("SUBSCRIBE", "other");
        var payload = new string('x', 64 * 1024);

        // The slow client never reads: socket buffers fill, then its queued messages pass 1 MB.
        var closed = false;
        for (var i = 0; i < 4096 && !closed; i++)
        {
            closed = await publisher.RawAsync("PUBLISH", "firehose", payload) == ":0\r\n";
        }
        Assert.True(closed, "the slow subscriber was never closed");
        await Wire.AssertClosedByServerAsync(slow);

        // Everyone else carries on.
        Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "other", "still here"));
        Assert.Equal(Message("other", "still here"), await NextAsync(reader));
        var clients = (await publisher.ExecuteAsync("CLIENT", "LIST")).AsString()!;
        Assert.Equal(2, clients.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_subscriber_that_keeps_reading_is_not_closed()
    {
        await using var silo = await SiloUnderTest.StartAsync(("client-output-buffer-limit", "pubsub 1mb 0 0"));
        var (subscriber, publisher) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await subscriber.RawAsync("SUBSCRIBE", "steady");
        var payload = new string('y', 64 * 1024);
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(":1\r\n", await publisher.RawAsync("PUBLISH", "steady", payload));
            Assert.Equal(Message("steady", payload), await NextAsync(subscriber));
        }
    }

    [Fact]
    public async Task StackExchange_Redis_subscribers_receive_channel_and_pattern_messages()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:" + silo.Port.ToString(CultureInfo.InvariantCulture));
        var subscriber = multiplexer.GetSubscriber();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var matched = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await subscriber.SubscribeAsync("orders", (channel, value) => received.TrySetResult($"{channel}:{value}"));
        await subscriber.SubscribeAsync(new RedisChannel("ord*", RedisChannel.PatternMode.Pattern), (channel, value) => matched.TrySetResult($"{channel}:{value}"));

        Assert.Equal(2, await subscriber.PublishAsync("orders", "o-1"));
        Assert.Equal("orders:o-1", await received.Task.WaitAsync(Wire.ConditionTimeout));
        Assert.Equal("orders:o-1", await matched.Task.WaitAsync(Wire.ConditionTimeout));
    }
}
