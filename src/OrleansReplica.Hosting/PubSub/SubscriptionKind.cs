namespace OrleansReplica.Hosting.PubSub;

/// <summary>The three kinds of Pub/Sub subscription Redis 7.0 has.</summary>
public enum SubscriptionKind
{
    /// <summary>SUBSCRIBE: one channel by name.</summary>
    Channel,

    /// <summary>PSUBSCRIBE: every channel matching a glob pattern.</summary>
    Pattern,

    /// <summary>SSUBSCRIBE: a shard channel (SPUBLISH), never matched by patterns.</summary>
    ShardChannel,
}
