#:property PublishAot=false
// (file-based programs default to native AOT, whose packages are not needed to run this)

// Regenerates RedisCommands.json from a running redis-server 7.0:
//
//     redis-server --port 17001 --save '' --enable-debug-command yes --daemonize yes
//     dotnet run generate-command-metadata.cs -- 17001 [output.json]
//
// It reads COMMAND (COMMAND INFO of every command) and COMMAND DOCS over RESP3, writes them in the
// typed JSON form described in RedisCommands.json's "encoding" note, then re-encodes every command
// and subcommand from that JSON and checks the bytes against the server's own COMMAND INFO and
// COMMAND DOCS replies, in RESP2 and RESP3, before writing the file.
// This file is a standalone program: the Grains project excludes it from compilation.

using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

if (args.Length < 1 || !int.TryParse(args[0], out var port))
{
    Console.Error.WriteLine("usage: dotnet run generate-command-metadata.cs -- <port> [output.json]");
    return 2;
}
var output = args.Length > 1 ? args[1] : Path.Combine(Path.GetDirectoryName(SourcePath())!, "RedisCommands.json");

using var resp3 = new RespConnection(port, protocol: 3);
using var resp2 = new RespConnection(port, protocol: 2);

var version = ParseInfoField(resp2.Call("INFO", "server").Text!, "redis_version");
var infos = resp3.Call("COMMAND");
var docs = resp3.Call("COMMAND", "DOCS");
if (infos.Kind != Kind.Array || docs.Kind != Kind.Map)
{
    throw new InvalidDataException("COMMAND / COMMAND DOCS did not answer an array / a map.");
}

var docsByName = docs.Pairs().ToDictionary(p => p.Key.Text!, p => p.Value, StringComparer.Ordinal);
var entries = infos.Items.Select(info => Entry.From(info, docsByName)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

// Round trip: every reply rebuilt from the JSON must equal the server's bytes.
var json = MetadataJson.Write(version, entries);
var reread = MetadataJson.Read(json);
var checkedReplies = 0;
foreach (var entry in reread.SelectMany(e => e.Subcommands.Prepend(e)))
{
    foreach (var (connection, protocol) in new[] { (resp3, 3), (resp2, 2) })
    {
        var infoBytes = connection.CallRaw("COMMAND", "INFO", entry.Name);
        var docsBytes = connection.CallRaw("COMMAND", "DOCS", entry.Name);
        var expectedInfo = Rebuild(entry, protocol, docs: false, infoBytes);
        var expectedDocs = Rebuild(entry, protocol, docs: true, docsBytes);
        Compare(entry.Name, "INFO", protocol, infoBytes, expectedInfo);
        Compare(entry.Name, "DOCS", protocol, docsBytes, expectedDocs);
        checkedReplies += 2;
    }
}

File.WriteAllText(output, json);
Console.WriteLine($"{output}: {entries.Count} commands, {entries.Sum(e => e.Subcommands.Count)} subcommands, redis {version}; {checkedReplies} replies verified byte for byte");
return 0;

// Renders one name's reply from the JSON entry, listing subcommands in the order this server reply used
// (Redis lists them in hash-table order, which changes between processes and even between calls).
static byte[] Rebuild(Entry entry, int protocol, bool docs, byte[] actual)
{
    var order = Resp.Parse(actual).SubcommandOrder(docs);
    var writer = new RespBytes(protocol);
    if (docs)
    {
        writer.Header('%', 1);
        writer.Bulk(entry.Name);
        entry.WriteDocs(writer, order);
    }
    else
    {
        writer.Header('*', 1);
        entry.WriteInfo(writer, order);
    }
    return writer.ToArray();
}

static void Compare(string name, string what, int protocol, byte[] actual, byte[] expected)
{
    if (!actual.AsSpan().SequenceEqual(expected))
    {
        var at = 0;
        while (at < actual.Length && at < expected.Length && actual[at] == expected[at])
        {
            at++;
        }
        var from = Math.Max(0, at - 200);
        throw new InvalidDataException(
            $"COMMAND {what} {name} (RESP{protocol}) differs at byte {at}:\nredis: {Show(actual, from)}\njson:  {Show(expected, from)}");
    }
}

static string Show(byte[] bytes, int from) =>
    Encoding.UTF8.GetString(bytes, from, Math.Min(400, bytes.Length - from)).Replace("\r\n", "\\r\\n");

static string ParseInfoField(string info, string field) =>
    info.Split("\r\n").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..];

static string SourcePath([CallerFilePath] string path = "") => path;

/// <summary>RESP value kinds that COMMAND INFO / COMMAND DOCS use.</summary>
enum Kind { Simple, Bulk, Integer, Array, Set, Map, Null, Error }

/// <summary>One parsed RESP value.</summary>
sealed class Resp
{
    public Kind Kind;
    public string? Text;
    public long Integer;
    public List<Resp> Items = [];

    public IEnumerable<KeyValuePair<Resp, Resp>> Pairs()
    {
        for (var i = 0; i < Items.Count; i += 2)
        {
            yield return new(Items[i], Items[i + 1]);
        }
    }

    public Resp? Field(string key) => Pairs().FirstOrDefault(p => p.Key.Text == key).Value;

    /// <summary>Names of the subcommands in a one-command COMMAND INFO / DOCS reply, in reply order.</summary>
    public List<string> SubcommandOrder(bool docs)
    {
        if (docs)
        {
            // RESP2 flattens maps into arrays of pairs; Pairs() reads both.
            var entry = Items.Count == 2 ? Items[1] : null;
            var subs = entry?.Field("subcommands");
            return subs?.Pairs().Select(p => p.Key.Text!).ToList() ?? [];
        }
        var info = Items.Count == 1 && Items[0].Kind == Kind.Array ? Items[0] : null;
        return info is { Items.Count: 10 } ? info.Items[9].Items.Where(i => i.Kind == Kind.Array).Select(i => i.Items[0].Text!).ToList() : [];
    }

    public static Resp Parse(byte[] bytes)
    {
        var position = 0;
        var value = Read(bytes, ref position);
        if (position != bytes.Length)
        {
            throw new InvalidDataException("Trailing bytes after a reply.");
        }
        return value;
    }

    public static Resp Read(byte[] bytes, ref int position)
    {
        var type = (char)bytes[position];
        var line = ReadLine(bytes, ref position);
        switch (type)
        {
            case '+': return new Resp { Kind = Kind.Simple, Text = line };
            case '-': return new Resp { Kind = Kind.Error, Text = line };
            case ':': return new Resp { Kind = Kind.Integer, Integer = long.Parse(line) };
            case '_': return new Resp { Kind = Kind.Null };
            case '$':
                var length = int.Parse(line);
                if (length < 0)
                {
                    return new Resp { Kind = Kind.Null };
                }
                var text = Encoding.UTF8.GetString(bytes, position, length);
                position += length + 2;
                return new Resp { Kind = Kind.Bulk, Text = text };
            case '*' or '~' or '%':
                var count = int.Parse(line);
                if (count < 0)
                {
                    return new Resp { Kind = Kind.Null };
                }
                var value = new Resp { Kind = type switch { '*' => Kind.Array, '~' => Kind.Set, _ => Kind.Map } };
                for (var i = 0; i < (type == '%' ? count * 2 : count); i++)
                {
                    value.Items.Add(Read(bytes, ref position));
                }
                return value;
            default:
                throw new InvalidDataException($"Unexpected RESP type '{type}'.");
        }
    }

    /// <summary>Length of the complete reply at the start of <paramref name="bytes"/>, or -1 if incomplete.</summary>
    public static int CompleteLength(byte[] bytes, int count)
    {
        try
        {
            var position = 0;
            var copy = bytes.AsSpan(0, count).ToArray();
            Read(copy, ref position);
            return position <= count ? position : -1;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or FormatException)
        {
            return -1;
        }
    }

    private static string ReadLine(byte[] bytes, ref int position)
    {
        var end = Array.IndexOf(bytes, (byte)'\r', position);
        if (end < 0 || end + 1 >= bytes.Length)
        {
            throw new IndexOutOfRangeException();
        }
        var line = Encoding.UTF8.GetString(bytes, position + 1, end - position - 1);
        position = end + 2;
        return line;
    }
}

/// <summary>A blocking RESP connection that reads one whole reply per request.</summary>
sealed class RespConnection : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private byte[] _buffer = new byte[1 << 16];
    private int _count;

    public RespConnection(int port, int protocol)
    {
        _socket.Connect("127.0.0.1", port);
        if (protocol == 3)
        {
            Call("HELLO", "3");
        }
    }

    public Resp Call(params string[] args) => Resp.Parse(CallRaw(args));

    public byte[] CallRaw(params string[] args)
    {
        var request = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            request.Append($"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }
        _socket.Send(Encoding.UTF8.GetBytes(request.ToString()));
        while (true)
        {
            var length = _count > 0 ? Resp.CompleteLength(_buffer, _count) : -1;
            if (length > 0)
            {
                var reply = _buffer.AsSpan(0, length).ToArray();
                _buffer.AsSpan(length, _count - length).CopyTo(_buffer);
                _count -= length;
                return reply;
            }
            if (_count == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var read = _socket.Receive(_buffer, _count, _buffer.Length - _count, SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("The server closed the connection.");
            }
            _count += read;
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Writes RESP bytes; in RESP2 maps and sets become arrays, as Redis downgrades them.</summary>
sealed class RespBytes(int protocol)
{
    private readonly MemoryStream _stream = new();

    public void Header(char type, int count)
    {
        if (protocol == 2 && type is '%' or '~')
        {
            count = type == '%' ? count * 2 : count;
            type = '*';
        }
        Line($"{type}{count}");
    }

    public void Bulk(string text) => Line($"${Encoding.UTF8.GetByteCount(text)}\r\n{text}");

    public void Simple(string text) => Line($"+{text}");

    public void Integer(long value) => Line($":{value}");

    public void Null() => Line(protocol == 2 ? "$-1" : "_");

    public byte[] ToArray() => _stream.ToArray();

    private void Line(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\r\n");
        _stream.Write(bytes);
    }
}

/// <summary>One command (or subcommand) as stored in the JSON file.</summary>
sealed class Entry
{
    public static readonly string[] InfoFields =
        ["name", "arity", "flags", "first_key", "last_key", "step", "acl_categories", "tips", "key_specs", "subcommands"];

    public required string Name;
    public required List<KeyValuePair<string, JsonTyped>> Info;
    public required List<KeyValuePair<string, JsonTyped>> Docs;
    public List<Entry> Subcommands = [];

    public static Entry From(Resp info, Dictionary<string, Resp> docsByName)
    {
        if (info.Kind != Kind.Array || info.Items.Count != InfoFields.Length || info.Items[0].Kind != Kind.Bulk)
        {
            throw new InvalidDataException("A COMMAND INFO entry is not a 10-element array.");
        }
        var name = info.Items[0].Text!;
        var docs = docsByName.TryGetValue(name, out var found) ? found : throw new InvalidDataException($"No COMMAND DOCS for {name}.");
        var subInfos = info.Items[9];
        var entry = new Entry
        {
            Name = name,
            Info = [.. InfoFields.Select((field, i) => new KeyValuePair<string, JsonTyped>(field, JsonTyped.From(info.Items[i])))],
            Docs = [.. docs.Pairs().Select(p => new KeyValuePair<string, JsonTyped>(KeyText(p.Key), JsonTyped.From(p.Value)))],
        };
        var subDocs = docs.Field("subcommands");
        if (subInfos.Kind == Kind.Array && subInfos.Items.Count > 0)
        {
            // A container: the subcommand slots stay as empty values of Redis's type, filled at reply time.
            var subDocsByName = subDocs?.Pairs().ToDictionary(p => p.Key.Text!, p => p.Value, StringComparer.Ordinal)
                ?? throw new InvalidDataException($"{name} has subcommands but no subcommand docs.");
            entry.Subcommands = subInfos.Items.Select(s => From(s, subDocsByName)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            entry.Info[9] = new("subcommands", JsonTyped.Empty(subInfos.Kind));
            var docsSlot = entry.Docs.FindIndex(p => p.Key == "subcommands");
            entry.Docs[docsSlot] = new("subcommands", JsonTyped.Empty(subDocs.Kind));
        }
        else if (subInfos.Kind != Kind.Set || subInfos.Items.Count != 0 || subDocs is not null)
        {
            throw new InvalidDataException($"{name}: unexpected subcommand slot.");
        }
        return entry;
    }

    private static string KeyText(Resp key) =>
        key.Kind == Kind.Bulk ? key.Text! : throw new InvalidDataException("A map key is not a bulk string.");

    public void WriteInfo(RespBytes writer, List<string> subcommandOrder)
    {
        writer.Header('*', Info.Count);
        foreach (var (field, value) in Info)
        {
            if (field == "subcommands" && Subcommands.Count > 0)
            {
                writer.Header(value.Marker, Subcommands.Count);
                foreach (var sub in Ordered(subcommandOrder))
                {
                    sub.WriteInfo(writer, []);
                }
            }
            else
            {
                value.Write(writer);
            }
        }
    }

    public void WriteDocs(RespBytes writer, List<string> subcommandOrder)
    {
        writer.Header('%', Docs.Count);
        foreach (var (field, value) in Docs)
        {
            writer.Bulk(field);
            if (field == "subcommands" && Subcommands.Count > 0)
            {
                writer.Header(value.Marker, Subcommands.Count);
                foreach (var sub in Ordered(subcommandOrder))
                {
                    writer.Bulk(sub.Name);
                    sub.WriteDocs(writer, []);
                }
            }
            else
            {
                value.Write(writer);
            }
        }
    }

    private IEnumerable<Entry> Ordered(List<string> order) =>
        order.Count == Subcommands.Count ? order.Select(n => Subcommands.Single(s => s.Name == n)) : Subcommands;
}

/// <summary>
/// A RESP value in the JSON file: number = integer, string = bulk string ("+x" = simple string,
/// a leading "\" escapes a bulk string starting with '+', '~' or '\'), array = array, array whose
/// first element is "~" = set, object = map with bulk-string keys, null = null.
/// </summary>
sealed class JsonTyped
{
    public Kind Kind;
    public string? Text;
    public long Integer;
    public List<JsonTyped> Items = [];
    public List<KeyValuePair<string, JsonTyped>> Pairs = [];

    public char Marker => Kind switch { Kind.Map => '%', Kind.Set => '~', _ => '*' };

    public static JsonTyped Empty(Kind kind) => new() { Kind = kind };

    public static JsonTyped From(Resp value) => value.Kind switch
    {
        Kind.Simple or Kind.Bulk => new JsonTyped { Kind = value.Kind, Text = value.Text },
        Kind.Integer => new JsonTyped { Kind = Kind.Integer, Integer = value.Integer },
        Kind.Array or Kind.Set => new JsonTyped { Kind = value.Kind, Items = value.Items.Select(From).ToList() },
        Kind.Map => new JsonTyped
        {
            Kind = Kind.Map,
            Pairs = value.Pairs().Select(p => new KeyValuePair<string, JsonTyped>(
                p.Key.Kind == Kind.Bulk ? p.Key.Text! : throw new InvalidDataException("A map key is not a bulk string."), From(p.Value))).ToList(),
        },
        _ => throw new InvalidDataException($"Unexpected {value.Kind} in command metadata."),
    };

    public static JsonTyped From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => new JsonTyped { Kind = Kind.Integer, Integer = element.GetInt64() },
        JsonValueKind.Null => new JsonTyped { Kind = Kind.Null },
        JsonValueKind.String => element.GetString()! switch
        {
            ['+', .. var simple] => new JsonTyped { Kind = Kind.Simple, Text = simple },
            ['\\', .. var escaped] => new JsonTyped { Kind = Kind.Bulk, Text = escaped },
            var bulk => new JsonTyped { Kind = Kind.Bulk, Text = bulk },
        },
        JsonValueKind.Array when element.GetArrayLength() > 0 && element[0].ValueKind == JsonValueKind.String && element[0].GetString() == "~" =>
            new JsonTyped { Kind = Kind.Set, Items = element.EnumerateArray().Skip(1).Select(From).ToList() },
        JsonValueKind.Array => new JsonTyped { Kind = Kind.Array, Items = element.EnumerateArray().Select(From).ToList() },
        JsonValueKind.Object => new JsonTyped { Kind = Kind.Map, Pairs = element.EnumerateObject().Select(p => new KeyValuePair<string, JsonTyped>(p.Name, From(p.Value))).ToList() },
        _ => throw new InvalidDataException($"Unexpected JSON {element.ValueKind}."),
    };

    public void Write(RespBytes writer)
    {
        switch (Kind)
        {
            case Kind.Simple: writer.Simple(Text!); break;
            case Kind.Bulk: writer.Bulk(Text!); break;
            case Kind.Integer: writer.Integer(Integer); break;
            case Kind.Null: writer.Null(); break;
            case Kind.Array or Kind.Set:
                writer.Header(Marker, Items.Count);
                Items.ForEach(i => i.Write(writer));
                break;
            case Kind.Map:
                writer.Header('%', Pairs.Count);
                foreach (var (key, value) in Pairs)
                {
                    writer.Bulk(key);
                    value.Write(writer);
                }
                break;
        }
    }

    /// <summary>JSON text; arrays of scalars stay on one line so the file reads like the reply.</summary>
    public void WriteJson(StringBuilder json, int indent)
    {
        switch (Kind)
        {
            case Kind.Simple: json.Append(Quote("+" + Text)); break;
            case Kind.Bulk: json.Append(Quote(Text!.Length > 0 && Text[0] is '+' or '~' or '\\' ? "\\" + Text : Text)); break;
            case Kind.Integer: json.Append(Integer); break;
            case Kind.Null: json.Append("null"); break;
            case Kind.Array or Kind.Set:
                var items = Kind == Kind.Set ? Items.Prepend(null).ToList() : Items.Cast<JsonTyped?>().ToList();
                var flat = Items.All(i => i.Kind is Kind.Simple or Kind.Bulk or Kind.Integer or Kind.Null);
                json.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    json.Append(i == 0 ? "" : ",");
                    if (!flat)
                    {
                        NewLine(json, indent + 1);
                    }
                    else if (i > 0)
                    {
                        json.Append(' ');
                    }
                    if (items[i] is { } item)
                    {
                        item.WriteJson(json, indent + 1);
                    }
                    else
                    {
                        json.Append("\"~\"");
                    }
                }
                if (!flat && items.Count > 0)
                {
                    NewLine(json, indent);
                }
                json.Append(']');
                break;
            case Kind.Map:
                WriteObject(json, indent, Pairs);
                break;
        }
    }

    public static void WriteObject(StringBuilder json, int indent, List<KeyValuePair<string, JsonTyped>> pairs)
    {
        json.Append('{');
        for (var i = 0; i < pairs.Count; i++)
        {
            json.Append(i == 0 ? "" : ",");
            NewLine(json, indent + 1);
            json.Append(Quote(pairs[i].Key)).Append(": ");
            pairs[i].Value.WriteJson(json, indent + 1);
        }
        if (pairs.Count > 0)
        {
            NewLine(json, indent);
        }
        json.Append('}');
    }

    public static void NewLine(StringBuilder json, int indent) => json.Append('\n').Append(' ', indent * 2);

    public static string Quote(string text) => JsonSerializer.Serialize(text, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>The file format: a header and one object per command, subcommands nested.</summary>
static class MetadataJson
{
    private const string EncodingNote =
        "Each command: 'info' is its COMMAND INFO reply (the values of the object, in order, form the reply array), " +
        "'docs' is its COMMAND DOCS reply, 'subcommands' the same for each subcommand. RESP types: number = integer, " +
        "string = bulk string, \"+text\" = simple string (a leading backslash escapes a bulk string starting with '+', '~' or a backslash), " +
        "array = array, array starting with \"~\" = set, object = map (keys are bulk strings), null = null. " +
        "RESP2 replies turn maps and sets into arrays. A container's info 'subcommands' and docs 'subcommands' are empty " +
        "values of Redis's type, filled with its subcommands when replying. Order: names sorted; Redis lists commands in hash-table order.";

    public static string Write(string version, List<Entry> entries)
    {
        var json = new StringBuilder();
        json.Append("{\n  \"source\": ").Append(JsonTyped.Quote($"redis-server {version}: COMMAND INFO and COMMAND DOCS of every command"));
        json.Append(",\n  \"encoding\": ").Append(JsonTyped.Quote(EncodingNote));
        json.Append(",\n  \"commands\": [");
        for (var i = 0; i < entries.Count; i++)
        {
            json.Append(i == 0 ? "" : ",");
            JsonTyped.NewLine(json, 2);
            WriteEntry(json, 2, entries[i]);
        }
        json.Append("\n  ]\n}\n");
        return json.ToString();
    }

    private static void WriteEntry(StringBuilder json, int indent, Entry entry)
    {
        json.Append('{');
        JsonTyped.NewLine(json, indent + 1);
        json.Append("\"info\": ");
        JsonTyped.WriteObject(json, indent + 1, entry.Info);
        json.Append(',');
        JsonTyped.NewLine(json, indent + 1);
        json.Append("\"docs\": ");
        JsonTyped.WriteObject(json, indent + 1, entry.Docs);
        if (entry.Subcommands.Count > 0)
        {
            json.Append(',');
            JsonTyped.NewLine(json, indent + 1);
            json.Append("\"subcommands\": [");
            for (var i = 0; i < entry.Subcommands.Count; i++)
            {
                json.Append(i == 0 ? "" : ",");
                JsonTyped.NewLine(json, indent + 2);
                WriteEntry(json, indent + 2, entry.Subcommands[i]);
            }
            JsonTyped.NewLine(json, indent + 1);
            json.Append(']');
        }
        JsonTyped.NewLine(json, indent);
        json.Append('}');
    }

    public static List<Entry> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("commands").EnumerateArray().Select(ReadEntry).ToList();
    }

    private static Entry ReadEntry(JsonElement element)
    {
        var info = element.GetProperty("info").EnumerateObject().Select(p => new KeyValuePair<string, JsonTyped>(p.Name, JsonTyped.From(p.Value))).ToList();
        return new Entry
        {
            Name = info[0].Value.Text!,
            Info = info,
            Docs = element.GetProperty("docs").EnumerateObject().Select(p => new KeyValuePair<string, JsonTyped>(p.Name, JsonTyped.From(p.Value))).ToList(),
            Subcommands = element.TryGetProperty("subcommands", out var subs) ? subs.EnumerateArray().Select(ReadEntry).ToList() : [],
        };
    }
}
