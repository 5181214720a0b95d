using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Hosting.PubSub;

/// <summary>
/// One client's channels, patterns and shard channels. Changed only by <see cref="PubSubHub"/> under
/// its lock, on the client's own connection; the counts can be read from any thread (CLIENT LIST).
/// </summary>
public sealed class ClientSubscriptions
{
    private readonly HashSet<byte[]> _channels = new(KeyComparer.Instance);
    private readonly HashSet<byte[]> _shardChannels = new(KeyComparer.Instance);

    // Redis keeps a client's patterns in subscription order; PUNSUBSCRIBE without arguments follows it.
    private readonly List<byte[]> _patterns = [];
    private int _channelCount;
    private int _patternCount;
    private int _shardChannelCount;
    private volatile bool _active;

    /// <summary>sub= in CLIENT LIST.</summary>
    public int ChannelCount => Volatile.Read(ref _channelCount);

    /// <summary>psub= in CLIENT LIST.</summary>
    public int PatternCount => Volatile.Read(ref _patternCount);

    /// <summary>ssub= in CLIENT LIST.</summary>
    public int ShardChannelCount => Volatile.Read(ref _shardChannelCount);

    /// <summary>
    /// Redis's pub/sub flag (P in CLIENT LIST): set while any subscription of any kind is held; in
    /// RESP2 it restricts the client to the subscription commands, PING, QUIT and RESET.
    /// </summary>
    public bool Active => _active;

    /// <summary>The count a (un)subscribe reply reports: channels plus patterns, or shard channels alone.</summary>
    public int ReplyCount(SubscriptionKind kind) => kind == SubscriptionKind.ShardChannel ? ShardChannelCount : ChannelCount + PatternCount;

    /// <summary>A copy of the names of one kind, for UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE without arguments.</summary>
    public byte[][] Snapshot(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => [.. _channels],
        SubscriptionKind.Pattern => [.. _patterns],
        _ => [.. _shardChannels],
    };

    /// <summary>Adds a name; false when it was already subscribed.</summary>
    internal bool Add(SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        bool added;
        switch (kind)
        {
            case SubscriptionKind.Channel:
                added = _channels.GetAlternateLookup<ReadOnlySpan<byte>>().Add(name);
                break;
            case SubscriptionKind.Pattern:
                added = IndexOfPattern(name) < 0;
                if (added)
                {
                    _patterns.Add(name.ToArray());
                }
                break;
            default:
                added = _shardChannels.GetAlternateLookup<ReadOnlySpan<byte>>().Add(name);
                break;
        }
        UpdateCounts();
        return added;
    }

    /// <summary>Removes a name; false when it was not subscribed.</summary>
    internal bool Remove(SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        bool removed;
        switch (kind)
        {
            case SubscriptionKind.Channel:
                removed = _channels.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(name);
                break;
            case SubscriptionKind.Pattern:
                var index = IndexOfPattern(name);
                removed = index >= 0;
                if (removed)
                {
                    _patterns.RemoveAt(index);
                }
                break;
            default:
                removed = _shardChannels.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(name);
                break;
        }
        UpdateCounts();
        return removed;
    }

    private int IndexOfPattern(ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i < _patterns.Count; i++)
        {
            if (pattern.SequenceEqual(_patterns[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private void UpdateCounts()
    {
        Volatile.Write(ref _channelCount, _channels.Count);
        Volatile.Write(ref _patternCount, _patterns.Count);
        Volatile.Write(ref _shardChannelCount, _shardChannels.Count);
        _active = _channels.Count + _patterns.Count + _shardChannels.Count > 0;
    }
}
