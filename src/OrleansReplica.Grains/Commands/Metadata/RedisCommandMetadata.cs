using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>
/// Redis 7.0's metadata for every command and subcommand, read from the RedisCommands.json resource
/// (generated from a real redis-server by generate-command-metadata.cs). Immutable once loaded.
/// </summary>
public sealed class RedisCommandMetadata
{
    private const string ResourceName = "OrleansReplica.Grains.Commands.Metadata.RedisCommands.json";
    private const string NewerResourceName = "OrleansReplica.Grains.Commands.Metadata.NewerCommands.json";

    // Parsed once per process: the data is immutable, and every server in a process reads the same file.
    private static readonly Lazy<RedisCommandMetadata> Embedded = new(LoadEmbedded);

    private readonly Dictionary<string, CommandMetadata> _byName = new(StringComparer.Ordinal);

    private RedisCommandMetadata(JsonElement root)
    {
        Source = root.TryGetProperty("source", out var source) ? source.GetString() ?? "" : "";
        Commands = [.. root.GetProperty("commands").EnumerateArray().Select(c => new CommandMetadata(c, container: null))];
        foreach (var command in Commands)
        {
            _byName.Add(command.Name, command);
            foreach (var sub in command.Subcommands)
            {
                _byName.Add(sub.Name, sub);
            }
        }
    }

    /// <summary>The metadata embedded in this assembly.</summary>
    public static RedisCommandMetadata Redis70 => Embedded.Value;

    /// <summary>Where the metadata came from (server version).</summary>
    public string Source { get; }

    /// <summary>Top-level commands in name order, each with its subcommands.</summary>
    public IReadOnlyList<CommandMetadata> Commands { get; }

    /// <summary>A command or subcommand by its exact lower-case name ("get", "config|get").</summary>
    public CommandMetadata? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads metadata in RedisCommands.json's format.</summary>
    public static RedisCommandMetadata Parse(ReadOnlyMemory<byte> json)
    {
        // Clone: the elements outlive the parse and must not depend on pooled buffers.
        using var document = JsonDocument.Parse(json);
        return new RedisCommandMetadata(document.RootElement.Clone());
    }

    private static RedisCommandMetadata LoadEmbedded()
    {
        var root = JsonNode.Parse(ReadResource(ResourceName))!;
        var commands = root["commands"]!.AsArray();
        foreach (var addition in JsonNode.Parse(ReadResource(NewerResourceName))!["additions"]!.AsArray())
        {
            var entry = addition!["entry"]!.DeepClone();
            var container = addition["container"]?.GetValue<string>();
            var target = container is null
                ? commands
                : commands.First(c => c!["info"]!["name"]!.GetValue<string>() == container)!["subcommands"]!.AsArray();
            // Keep name order, as the generated file has it.
            var name = entry["info"]!["name"]!.GetValue<string>();
            var index = target.TakeWhile(c => string.CompareOrdinal(c!["info"]!["name"]!.GetValue<string>(), name) < 0).Count();
            target.Insert(index, entry);
        }
        return Parse(JsonSerializer.SerializeToUtf8Bytes(root));
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = typeof(RedisCommandMetadata).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
