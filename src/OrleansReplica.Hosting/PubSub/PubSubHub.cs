using System.Buffers;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.PubSub;

/// <summary>
/// A silo's Pub/Sub registry: the subscribers of every channel, pattern and shard channel, and the
/// delivery of published messages into the subscribers' outboxes, encoded for each one's protocol.
/// </summary>
/// <remarks>
/// One lock guards everything: publishes are rare next to GET/SET, and holding it while posting
/// gives every subscriber of a channel the messages in the same order.
/// </remarks>
public sealed class PubSubHub
{
    private static readonly SubscriptionKind[] Kinds = [SubscriptionKind.Channel, SubscriptionKind.Pattern, SubscriptionKind.ShardChannel];

    private readonly ServerConfig _config;
    private readonly RedisLog _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], List<ClientSession>> _channels = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], List<ClientSession>> _patterns = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], List<ClientSession>> _shardChannels = new(KeyComparer.Instance);

    // Frames are encoded here (under the lock) and copied out once per protocol per publish.
    private readonly ArrayBufferWriter<byte> _encoded = new();
    private readonly RespWriter _encoder;

    public PubSubHub(ServerConfig config, RedisLog log)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _encoder = new RespWriter(_encoded);
    }

    /// <summary>Channels with at least one subscriber (pubsub_channels in INFO).</summary>
    public int ChannelCount
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    /// <summary>Distinct patterns with at least one subscriber (pubsub_patterns in INFO, PUBSUB NUMPAT).</summary>
    public int PatternCount
    {
        get
        {
            lock (_gate)
            {
                return _patterns.Count;
            }
        }
    }

    /// <summary>Shard channels with at least one subscriber (pubsubshard_channels in INFO).</summary>
    public int ShardChannelCount
    {
        get
        {
            lock (_gate)
            {
                return _shardChannels.Count;
            }
        }
    }

    /// <summary>Subscribes <paramref name="client"/>; false when it already was (Redis replies the same either way).</summary>
    public bool Subscribe(ClientSession client, SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            if (!client.Subscriptions.Add(kind, name))
            {
                return false;
            }
            var lookup = Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>();
            if (!lookup.TryGetValue(name, out var subscribers))
            {
                subscribers = [];
                lookup[name] = subscribers;
            }
            subscribers.Add(client);
            return true;
        }
    }

    /// <summary>Unsubscribes <paramref name="client"/>; false when it was not subscribed.</summary>
    public bool Unsubscribe(ClientSession client, SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            return UnsubscribeLocked(client, kind, name);
        }
    }

    /// <summary>Drops every subscription of <paramref name="client"/> (RESET, connection closed).</summary>
    public void UnsubscribeAll(ClientSession client)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            foreach (var kind in Kinds)
            {
                foreach (var name in client.Subscriptions.Snapshot(kind))
                {
                    UnsubscribeLocked(client, kind, name);
                }
            }
        }
    }

    /// <summary>
    /// PUBLISH: posts a message to the channel's subscribers and to every subscription of a matching
    /// pattern (a client with two matching patterns gets it twice); returns how many were posted.
    /// <paramref name="publisher"/>, when it receives its own message, is not woken: it drains its outbox itself.
    /// </summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, ClientSession? publisher) =>
        Deliver(SubscriptionKind.Channel, channel, message, publisher);

    /// <summary>SPUBLISH: posts a message to the shard channel's subscribers only; returns how many.</summary>
    public int PublishShard(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, ClientSession? publisher) =>
        Deliver(SubscriptionKind.ShardChannel, channel, message, publisher);

    /// <summary>PUBSUB CHANNELS / SHARDCHANNELS: the active channels, those matching <paramref name="pattern"/> when given.</summary>
    public List<byte[]> ActiveChannels(SubscriptionKind kind, byte[]? pattern)
    {
        var names = new List<byte[]>();
        lock (_gate)
        {
            foreach (var name in Table(kind).Keys)
            {
                if (pattern is null || GlobPattern.IsMatch(pattern, name))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    /// <summary>PUBSUB NUMSUB / SHARDNUMSUB: the subscribers of one channel, patterns not counted.</summary>
    public int SubscriberCount(SubscriptionKind kind, ReadOnlySpan<byte> channel)
    {
        lock (_gate)
        {
            return Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var subscribers) ? subscribers.Count : 0;
        }
    }

    private Dictionary<byte[], List<ClientSession>> Table(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => _channels,
        SubscriptionKind.Pattern => _patterns,
        _ => _shardChannels,
    };

    private bool UnsubscribeLocked(ClientSession client, SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        if (!client.Subscriptions.Remove(kind, name))
        {
            return false;
        }
        var lookup = Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(name, out var subscribers))
        {
            subscribers.Remove(client);
            if (subscribers.Count == 0)
            {
                lookup.Remove(name);
            }
        }
        return true;
    }

    private int Deliver(SubscriptionKind kind, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, ClientSession? publisher)
    {
        var limit = _config.GetOutputBufferLimit(ClientClass.PubSub).HardLimitBytes;
        var receivers = 0;
        List<ClientSession>? overLimit = null;
        lock (_gate)
        {
            var shard = kind == SubscriptionKind.ShardChannel;
            if (Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var subscribers))
            {
                byte[]? resp2 = null, resp3 = null;
                var type = shard ? "smessage"u8 : "message"u8;
                foreach (var client in subscribers)
                {
                    var frame = FrameFor(client.Protocol, ref resp2, ref resp3, type, [], channel, message);
                    Post(client, frame, limit, publisher, ref overLimit);
                    receivers++;
                }
            }
            if (!shard)
            {
                foreach (var (pattern, patternSubscribers) in _patterns)
                {
                    if (!GlobPattern.IsMatch(pattern, channel))
                    {
                        continue;
                    }
                    byte[]? resp2 = null, resp3 = null;
                    foreach (var client in patternSubscribers)
                    {
                        var frame = FrameFor(client.Protocol, ref resp2, ref resp3, "pmessage"u8, pattern, channel, message);
                        Post(client, frame, limit, publisher, ref overLimit);
                        receivers++;
                    }
                }
            }
        }
        if (overLimit is not null)
        {
            // Outside the lock: closing a connection may run its cleanup, which unsubscribes through this hub.
            foreach (var client in overLimit)
            {
                _log.Warning($"Client {client.Describe()} scheduled to be closed ASAP for overcoming of output buffer limits.");
                client.Kill();
            }
        }
        return receivers;
    }

    private static void Post(ClientSession client, byte[] frame, ulong limit, ClientSession? publisher, ref List<ClientSession>? overLimit)
    {
        if (client.Outbox.Post(frame, limit, wake: client != publisher) == OutboxPost.OverLimit)
        {
            (overLimit ??= []).Add(client);
        }
    }

    /// <summary>The message frame in the receiver's protocol, encoded at most once per protocol.</summary>
    private byte[] FrameFor(RespProtocol protocol, ref byte[]? resp2, ref byte[]? resp3, ReadOnlySpan<byte> type, ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        ref var cached = ref protocol == RespProtocol.Resp3 ? ref resp3 : ref resp2;
        if (cached is null)
        {
            _encoded.ResetWrittenCount();
            _encoder.Protocol = protocol;
            var withPattern = type.SequenceEqual("pmessage"u8);
            _encoder.WritePushHeader(withPattern ? 4 : 3);
            _encoder.WriteBulkString(type);
            if (withPattern)
            {
                _encoder.WriteBulkString(pattern);
            }
            _encoder.WriteBulkString(channel);
            _encoder.WriteBulkString(message);
            cached = _encoded.WrittenSpan.ToArray();
        }
        return cached;
    }
}
