using Microsoft.Extensions.Configuration;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Hosting;

/// <summary>
/// Configures a silo the ways Redis and .NET users expect: a redis.conf file, redis-server style
/// command-line options, or a .NET configuration section ("Silo": { "port": 6380, ... }). The .NET
/// configuration gives the starting values, the config file and then the command line override
/// them (the command line wins, as with redis-server), then the directives given to <see cref="Configure"/>.
/// </summary>
public sealed class SiloBuilder
{
    private readonly List<string> _arguments = [];
    private readonly List<(string Name, string[] Values)> _directives = [];
    private readonly List<KeyValuePair<string, string?>> _settings = [];

    /// <summary>redis-server's command line: [config file] [--name value ...].</summary>
    public SiloBuilder UseCommandLine(params string[] arguments)
    {
        _arguments.AddRange(arguments);
        return this;
    }

    /// <summary>One directive, as it would appear in redis.conf (applied after the command line).</summary>
    public SiloBuilder Configure(string name, params string[] values)
    {
        _directives.Add((name, values));
        return this;
    }

    /// <summary>Directives from a .NET configuration section: each key is a config name, each value its text.</summary>
    public SiloBuilder UseConfiguration(IConfiguration section)
    {
        foreach (var child in section.GetChildren())
        {
            if (child.Value is not null)
            {
                _settings.Add(new(child.Key, child.Value));
            }
        }
        return this;
    }

    public ServerConfig BuildConfig()
    {
        var defaults = new ServerConfig();
        defaults.ApplySettings(_settings);
        var config = ConfigFileParser.Load([.. _arguments], defaults: defaults);
        config.ApplyDirectives(_directives);
        return config;
    }

    public Silo Build(RedisLog? log = null) => new(BuildConfig(), log);
}
