using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

/// <summary>One key as decoded, with its value in whichever shape its type has (bytes as Latin-1 text).</summary>
internal sealed record RecordedKey(int Db, string Key, string Type, RdbKeyMetadata Metadata)
{
    public string? String { get; init; }

    public List<string>? Items { get; init; }

    public List<(string Member, double Score)>? Scored { get; init; }

    public List<(string Field, string Value)>? Pairs { get; init; }

    public RdbStream? Stream { get; init; }
}

/// <summary>An <see cref="IRdbHandler"/> that copies everything it is given, for assertions.</summary>
internal sealed class RecordingHandler : IRdbHandler
{
    public List<(string Name, string Value)> Aux { get; } = [];

    public List<int> SelectedDbs { get; } = [];

    public List<(long Keys, long Expires)> Resizes { get; } = [];

    public List<RecordedKey> Keys { get; } = [];

    public List<string> Functions { get; } = [];

    public List<string> ModuleAux { get; } = [];

    public RecordedKey this[string key, int db = 0] => Keys.Single(k => k.Key == key && k.Db == db);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    public void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Aux.Add((Text(name), Text(value)));

    public void OnSelectDb(int db) => SelectedDbs.Add(db);

    public void OnResizeDb(long keys, long expires) => Resizes.Add((keys, expires));

    public void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata) =>
        Keys.Add(new RecordedKey(metadata.Db, Text(key), "string", metadata) { String = Text(value) });

    public void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) =>
        Keys.Add(new RecordedKey(metadata.Db, Text(key), "list", metadata) { Items = items.Select(Text).ToList() });

    public void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) =>
        Keys.Add(new RecordedKey(metadata.Db, Text(key), "set", metadata) { Items = members.Select(Text).ToList() });

    public void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) =>
        Keys.Add(new RecordedKey(metadata.Db, Text(key), "zset", metadata) { Scored = members.Select(m => (Text(m.Member), m.Score)).ToList() });

    public void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) =>
        Keys.Add(new RecordedKey(metadata.Db, Text(key), "hash", metadata) { Pairs = fields.Select(f => (Text(f.Field), Text(f.Value))).ToList() });

    public void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) =>
        Keys.Add(new RecordedKey(metadata.Db, Text(key), "stream", metadata) { Stream = stream });

    public void OnFunction(ReadOnlySpan<byte> libraryCode) => Functions.Add(Text(libraryCode));

    public void OnModuleAux(ReadOnlySpan<byte> moduleName) => ModuleAux.Add(Text(moduleName));
}
