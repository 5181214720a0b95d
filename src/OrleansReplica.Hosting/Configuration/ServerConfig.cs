using System.Text;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>The configuration of one server: every Redis 7.0 parameter, with CONFIG GET/SET semantics.</summary>
public sealed partial class ServerConfig
{
    private readonly object _gate = new();
    private readonly ConfigValue[] _values;
    private readonly List<(string From, string To)> _renamedCommands = [];
    private readonly List<string[]> _users = [];
    private readonly List<string[]> _loadModules = [];
    private readonly List<(string Name, string Value)> _moduleConfigs = [];

    /// <summary>A configuration with Redis's defaults (<c>dir</c> is the current directory).</summary>
    public ServerConfig()
    {
        var all = ConfigRegistry.All;
        _values = new ConfigValue[all.Count];
        for (int i = 0; i < all.Count; i++)
        {
            _values[i] = all[i].CreateDefault();
        }
    }

    /// <summary>Raised after a successful <see cref="Set"/>, once per changed parameter, with its canonical name.</summary>
    public event Action<string>? Changed;

    /// <summary>
    /// Optional: applies a changed parameter (canonical name) to the running server during <see cref="Set"/>.
    /// Returning an error text undoes the whole CONFIG SET, which then fails with that text.
    /// </summary>
    public Func<string, string?>? ApplyHook { get; set; }

    /// <summary>Absolute path of the config file given at start, for CONFIG REWRITE and INFO; null without one.</summary>
    public string? ConfigFile { get; internal set; }

    /// <summary><c>rename-command</c> directives, in file order (an empty target removes the command).</summary>
    public IReadOnlyList<(string From, string To)> RenamedCommands => _renamedCommands;

    /// <summary><c>user</c> directives (user name then ACL rules), in file order.</summary>
    public IReadOnlyList<string[]> Users => _users;

    /// <summary><c>loadmodule</c> directives (path then arguments).</summary>
    public IReadOnlyList<string[]> LoadModules => _loadModules;

    /// <summary>Module parameters (<c>module.name value</c> lines).</summary>
    public IReadOnlyList<(string Name, string Value)> ModuleConfigs => _moduleConfigs;

    /// <summary>Set once a <c>save</c> line was read, so that later ones add rules instead of replacing them.</summary>
    internal bool SaveLoadedFromFile { get; set; }

    /// <summary>Loads <c>[config-file] [--name value ...] [-]</c> as redis-server does; throws <see cref="ConfigException"/>.</summary>
    public static ServerConfig Load(string[] args, TextReader? stdin = null) => ConfigFileParser.Load(args, stdin);

    /// <summary>The value as CONFIG GET shows it; throws <see cref="KeyNotFoundException"/> for an unknown name.</summary>
    public string Get(string name) =>
        TryGet(name, out var value) ? value : throw new KeyNotFoundException($"Unknown config parameter '{name}'");

    /// <summary>The value of a parameter given by name or alias, any case.</summary>
    public bool TryGet(string name, out string value)
    {
        var definition = ConfigRegistry.Find(name);
        if (definition is null)
        {
            value = string.Empty;
            return false;
        }

        value = definition.Format(_values[definition.Index]);
        return true;
    }

    /// <summary>
    /// CONFIG GET p1 p2 ...: an exact name is reported under the name given; a glob lists every matching
    /// name and alias (like Redis 7.0, slaveof and replicaof both match "*"). Hidden parameters need an exact name.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> GetMatching(ReadOnlySpan<string> patterns)
    {
        var result = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        lock (_gate)
        {
            foreach (var pattern in patterns)
            {
                if (!ConfigGlob.HasWildcard(pattern))
                {
                    if (!seen.Contains(pattern) && ConfigRegistry.Find(pattern) is { } definition)
                    {
                        seen.Add(pattern);
                        result.Add(new(pattern, definition.Format(_values[definition.Index])));
                    }

                    continue;
                }

                foreach (var (key, definition) in ConfigRegistry.Keys)
                {
                    if (!definition.IsHidden && !seen.Contains(key) && ConfigGlob.IsMatch(pattern, key))
                    {
                        seen.Add(key);
                        result.Add(new(key, definition.Format(_values[definition.Index])));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// CONFIG SET n1 v1 n2 v2 ...: all or nothing. Returns null on success or Redis's error text
    /// (starting with "ERR "). Protected parameters need <c>enable-protected-configs</c> yes, or local
    /// with <paramref name="isLocalClient"/>.
    /// </summary>
    public string? Set(IReadOnlyList<(string Name, string Value)> pairs, bool isLocalClient = false)
    {
        List<string> changed;
        lock (_gate)
        {
            var entries = new (ConfigDefinition Definition, bool IsAlias, string Value)[pairs.Count];
            for (int i = 0; i < pairs.Count; i++)
            {
                var (name, value) = pairs[i];

                // The first problem found is the one reported.
                var definition = ConfigRegistry.Find(name, out bool isAlias);
                if (definition is null)
                {
                    return $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'";
                }

                if (definition.IsImmutable)
                {
                    return SetFailed(name, "can't set immutable config");
                }

                if (definition.IsProtected && !ProtectedConfigsAllowed(isLocalClient))
                {
                    return SetFailed(name, "can't set protected config");
                }

                // A name and its alias count as different parameters, as in Redis.
                for (int j = 0; j < i; j++)
                {
                    if (entries[j].Definition == definition && entries[j].IsAlias == isAlias)
                    {
                        return SetFailed(name, "duplicate parameter");
                    }
                }

                entries[i] = (definition, isAlias, value);
            }

            var backup = (ConfigValue[])_values.Clone();
            var context = new ConfigSetContext(this, fromFile: false);
            foreach (var (definition, isAlias, text) in entries)
            {
                string[] args = definition.IsMultiArg ? ConfigArgs.SplitOnSpaces(text) : [text];
                var value = _values[definition.Index];
                if (definition.TrySet(args, ref value, context) is { } error)
                {
                    backup.CopyTo(_values, 0);
                    return SetFailed(isAlias ? definition.Alias! : definition.Name, error);
                }

                _values[definition.Index] = value;
            }

            changed = ChangedSince(backup);
            if (ApplyHook is { } apply)
            {
                foreach (var name in changed)
                {
                    if (apply(name) is { } error)
                    {
                        backup.CopyTo(_values, 0);
                        foreach (var undone in changed)
                        {
                            apply(undone);
                        }

                        return SetFailed(name, error);
                    }
                }
            }
        }

        foreach (var name in changed)
        {
            Changed?.Invoke(name);
        }

        return null;
    }

    /// <summary>Changes the master (REPLICAOF host port), or makes this server a master (null); bypasses immutability.</summary>
    public void SetReplicaOf(ReplicaOfTarget? master)
    {
        bool changed;
        lock (_gate)
        {
            int index = Ix.ReplicaOf;
            changed = !Equals(_values[index].Ref, master);
            _values[index] = ConfigValue.Of(master);
        }

        if (changed)
        {
            Changed?.Invoke("replicaof");
        }
    }

    /// <summary>Applies directives as config file lines (e.g. from appsettings); throws <see cref="ConfigException"/>.</summary>
    public void ApplyDirectives(IEnumerable<(string Name, string[] Args)> directives)
    {
        var text = new StringBuilder();
        foreach (var (name, args) in directives)
        {
            text.Append(name);
            foreach (var arg in args)
            {
                text.Append(' ');
                ConfigArgs.AppendQuoted(text, arg);
            }

            text.Append('\n');
        }

        ConfigFileParser.LoadText(this, text.ToString(), includeBase: null);
    }

    /// <summary>
    /// Applies name/value settings (e.g. the "Silo" section of appsettings.json: "port": 6380) as config
    /// lines. The value of a multi-argument parameter is split like a config line ("save": "900 1 300 10");
    /// any other value is one argument. Throws <see cref="ConfigException"/>.
    /// </summary>
    public void ApplySettings(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in settings)
        {
            text.Append(name).Append(' ');
            var definition = ConfigRegistry.Find(name);
            if (definition is { IsMultiArg: false })
            {
                ConfigArgs.AppendQuoted(text, value ?? string.Empty);
            }
            else
            {
                text.Append(value);
            }

            text.Append('\n');
        }

        ConfigFileParser.LoadText(this, text.ToString(), includeBase: null);
    }

    /// <summary>Sets a parameter from a config line's arguments; returns Redis's error text or null.</summary>
    internal string? SetFromFile(ConfigDefinition definition, string[] args)
    {
        lock (_gate)
        {
            var value = _values[definition.Index];
            var error = definition.TrySet(args, ref value, new ConfigSetContext(this, fromFile: true));
            if (error is null)
            {
                _values[definition.Index] = value;
            }

            return error;
        }
    }

    internal void AddRenamedCommand(string from, string to) => _renamedCommands.Add((from, to));

    internal void AddUser(string[] args) => _users.Add(args);

    internal void AddLoadModule(string[] args) => _loadModules.Add(args);

    internal void AddModuleConfig(string name, string value) => _moduleConfigs.Add((name, value));

    /// <summary>A consistent copy of all values, for CONFIG REWRITE.</summary>
    internal ConfigValue[] Snapshot()
    {
        lock (_gate)
        {
            return (ConfigValue[])_values.Clone();
        }
    }

    private static string SetFailed(string name, string error) =>
        $"ERR CONFIG SET failed (possibly related to argument '{name}') - {error}";

    private bool ProtectedConfigsAllowed(bool isLocalClient)
    {
        long mode = _values[Ix.EnableProtectedConfigs].Number;
        return mode == 1 || (mode == 2 && isLocalClient);
    }

    private List<string> ChangedSince(ConfigValue[] before)
    {
        var changed = new List<string>();
        var all = ConfigRegistry.All;
        for (int i = 0; i < all.Count; i++)
        {
            if (!before[i].Equals(_values[i]) && all[i].Format(before[i]) != all[i].Format(_values[i]))
            {
                changed.Add(all[i].Name);
            }
        }

        return changed;
    }
}
