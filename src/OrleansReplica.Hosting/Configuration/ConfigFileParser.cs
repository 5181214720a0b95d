using System.Text;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>Reads redis.conf files and the redis-server command line into a <see cref="ServerConfig"/>.</summary>
public static class ConfigFileParser
{
    // Guards against a file that includes itself.
    private const int MaxIncludeDepth = 32;

    /// <summary>
    /// <c>[config-file] [--name value ...] [-]</c>, as redis-server: the file, then standard input when "-"
    /// is the first or last argument, then the options as extra config lines; applied over
    /// <paramref name="defaults"/> when given (values from .NET configuration).
    /// </summary>
    public static ServerConfig Load(string[] args, TextReader? stdin = null, ServerConfig? defaults = null)
    {
        var config = defaults ?? new ServerConfig();
        if (args.Length == 0)
        {
            return config;
        }

        int first = 0;
        string? file = null;
        if (!args[0].StartsWith('-'))
        {
            file = args[0].Length == 0 ? string.Empty : Path.GetFullPath(args[0]);
            first = 1;
        }

        string options = OptionsToConfigText(args, first, out bool fromStdin);
        var text = new StringBuilder();
        if (file is not null)
        {
            text.Append(ReadFile(file, file));
        }

        if (fromStdin)
        {
            text.Append((stdin ?? Console.In).ReadToEnd());
        }

        text.Append('\n').Append(options);
        config.ConfigFile = file;
        LoadText(config, text.ToString(), file is null ? null : Path.GetDirectoryName(file));
        return config;
    }

    /// <summary>
    /// Turns command line options into config lines: "--port 6380 --replicaof host 6379" gives
    /// "port \"6380\"\nreplicaof \"host\" \"6379\"". A bare "--save" before another option means save "".
    /// </summary>
    public static string OptionsToConfigText(string[] args, int start, out bool fromStdin)
    {
        fromStdin = false;
        var options = new StringBuilder();
        bool lastNameHasValue = true;
        for (int j = start; j < args.Length; j++)
        {
            string arg = args[j];
            bool isLast = j == args.Length - 1;
            if (arg == "-" && (j == 0 || isLast))
            {
                fromStdin = true;
            }
            else if (lastNameHasValue && arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (options.Length > 0)
                {
                    options.Append('\n');
                }

                options.Append(arg, 2, arg.Length - 2).Append(' ');
                if (ConfigArgs.Split(arg) is { Count: 1 })
                {
                    // A bare name: what follows is its value, even if it starts with "--".
                    lastNameHasValue = false;
                    bool nextIsOption = !isLast && args[j + 1].StartsWith("--", StringComparison.Ordinal);
                    if (arg.Equals("--save", StringComparison.OrdinalIgnoreCase) && (nextIsOption || isLast))
                    {
                        options.Append("\"\"");
                        lastNameHasValue = true;
                    }
                    else if (arg.Equals("--sentinel", StringComparison.OrdinalIgnoreCase) && nextIsOption)
                    {
                        lastNameHasValue = true;
                    }
                }
                else
                {
                    // "--port 6380" given as one argument.
                    lastNameHasValue = true;
                }
            }
            else
            {
                ConfigArgs.AppendQuoted(options, arg);
                options.Append(' ');
                lastNameHasValue = true;
            }
        }

        return options.ToString();
    }

    /// <summary>Applies config file text line by line; throws <see cref="ConfigException"/> at the first bad line.</summary>
    public static void LoadText(ServerConfig config, string text, string? includeBase) =>
        LoadText(config, text, includeBase, depth: 0);

    private static void LoadText(ServerConfig config, string text, string? includeBase, int depth)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim(' ', '\t', '\r', '\n');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var args = ConfigArgs.Split(line)
                ?? throw ConfigException.Fatal("Unbalanced quotes in configuration line", i + 1, line);
            if (args.Count == 0)
            {
                continue;
            }

            string? error = ApplyLine(config, args, includeBase, depth);
            if (error is not null)
            {
                throw ConfigException.Fatal(error, i + 1, line);
            }
        }

        CheckLoaded(config);
    }

    private static string? ApplyLine(ServerConfig config, List<string> args, string? includeBase, int depth)
    {
        string name = args[0].ToLowerInvariant();
        int argc = args.Count;
        if (ConfigRegistry.Find(name) is { } definition)
        {
            if (!definition.IsMultiArg && argc != 2)
            {
                return "wrong number of arguments";
            }

            // A multi-argument parameter given as one argument ("--save '900 1'") is split again;
            // unbalanced quotes inside it give no argument at all.
            string[] values = definition.IsMultiArg && argc == 2 && args[1].Length > 0
                ? ConfigArgs.Split(args[1])?.ToArray() ?? []
                : args.GetRange(1, argc - 1).ToArray();
            return config.SetFromFile(definition, values);
        }

        if (ConfigRegistry.IsIgnoredDeprecated(name, argc))
        {
            return null;
        }

        if (name == "include" && argc == 2)
        {
            Include(config, args[1], includeBase, depth);
        }
        else if (name == "rename-command" && argc == 3)
        {
            config.AddRenamedCommand(args[1], args[2]);
        }
        else if (name == "user" && argc >= 2)
        {
            config.AddUser(args.GetRange(1, argc - 1).ToArray());
        }
        else if (name == "loadmodule" && argc >= 2)
        {
            config.AddLoadModule(args.GetRange(1, argc - 1).ToArray());
        }
        else if (name.Contains('.'))
        {
            if (argc != 2)
            {
                return "Module config specified without value";
            }

            config.AddModuleConfig(args[0], args[1]);
        }
        else if (name == "sentinel")
        {
            // A bare "sentinel" line is accepted; sentinel settings need sentinel mode.
            if (argc != 1)
            {
                return "sentinel directive while not in sentinel mode";
            }
        }
        else
        {
            return "Bad directive or wrong number of arguments";
        }

        return null;
    }

    // Checks Redis makes once a file is read; these errors name no line.
    private static void CheckLoaded(ServerConfig config)
    {
        if (config.LogFile.Length > 0)
        {
            try
            {
                using var log = new FileStream(Path.Combine(config.Dir, config.LogFile), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw ConfigException.Fatal($"Can't open the log file: {StrError(e)}");
            }
        }

        if (config.ClusterEnabled && config.ReplicaOf is not null)
        {
            throw ConfigException.Fatal("replicaof directive not allowed in cluster mode");
        }
    }

    // A relative path is tried against dir first (Redis's working directory), then next to the including file.
    private static void Include(ServerConfig config, string path, string? includeBase, int depth)
    {
        if (depth >= MaxIncludeDepth)
        {
            throw new ConfigException($"Fatal error, can't open config file '{path}': Too many levels of includes");
        }

        if (!ConfigGlob.HasWildcard(path))
        {
            string resolved = Resolve(config, path, includeBase, mustExist: true);
            LoadText(config, ReadFile(resolved, path), Path.GetDirectoryName(resolved), depth + 1);
            return;
        }

        // Files matching a pattern are read as one text; no match is not an error (an empty conf.d).
        string pattern = Resolve(config, path, includeBase, mustExist: false);
        string? directory = Path.GetDirectoryName(pattern);
        string filePattern = Path.GetFileName(pattern);
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        var text = new StringBuilder();
        var matches = Directory.EnumerateFiles(directory)
            .Where(f => IsGlobMatch(filePattern, Path.GetFileName(f)))
            .Order(StringComparer.Ordinal);
        foreach (var file in matches)
        {
            text.Append(ReadFile(file, file));
        }

        LoadText(config, text.ToString(), directory, depth + 1);
    }

    private static bool IsGlobMatch(string pattern, string name) =>
        (name[0] != '.' || pattern.StartsWith('.')) && ConfigGlob.IsMatch(pattern, name, ignoreCase: false);

    private static string Resolve(ServerConfig config, string path, string? includeBase, bool mustExist)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        string fromDir = Path.Combine(config.Dir, path);
        if (includeBase is null)
        {
            return fromDir;
        }

        string fromBase = Path.Combine(includeBase, path);
        bool Exists(string p) => mustExist ? File.Exists(p) : Directory.Exists(Path.GetDirectoryName(p));
        return Exists(fromDir) || !Exists(fromBase) ? fromDir : fromBase;
    }

    private static string ReadFile(string path, string shownPath)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException($"Fatal error, can't open config file '{shownPath}': {StrError(e)}");
        }
    }

    /// <summary>The C library's wording for common file errors.</summary>
    internal static string StrError(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException or ArgumentException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        PathTooLongException => "File name too long",
        _ => e.Message,
    };
}
