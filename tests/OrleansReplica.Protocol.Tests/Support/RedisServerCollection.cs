namespace OrleansReplica.Protocol.Tests.Support;

/// <summary>Test classes that share one private redis-server.</summary>
[CollectionDefinition(Name)]
public sealed class RedisServerCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis-server";
}
