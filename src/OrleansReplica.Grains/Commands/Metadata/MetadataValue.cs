using System.Text;
using System.Text.Json;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>The RESP types that Redis's COMMAND INFO and COMMAND DOCS replies are made of.</summary>
public enum MetadataValueKind
{
    SimpleString,
    BulkString,
    Integer,
    Array,
    Set,
    Map,
    Null,
}

/// <summary>
/// One RESP-typed value of the command metadata, decoded once from RedisCommands.json so that
/// replies are written without parsing. JSON encoding: number = integer, string = bulk string,
/// "+text" = simple string (a leading backslash escapes a bulk string starting with '+', '~' or a
/// backslash), array = array, array starting with "~" = set, object = map with bulk-string keys,
/// null = null.
/// </summary>
public sealed class MetadataValue
{
    private static readonly MetadataValue[] NoItems = [];

    private MetadataValue(MetadataValueKind kind, byte[]? text = null, long integer = 0, MetadataValue[]? items = null)
    {
        Kind = kind;
        Utf8 = text ?? [];
        Integer = integer;
        Items = items ?? NoItems;
    }

    public MetadataValueKind Kind { get; }

    /// <summary>The UTF-8 text of a simple or bulk string.</summary>
    public byte[] Utf8 { get; }

    public long Integer { get; }

    /// <summary>Elements of an array or set; for a map, keys and values interleaved.</summary>
    public MetadataValue[] Items { get; }

    public string Text => Encoding.UTF8.GetString(Utf8);

    public bool IsString => Kind is MetadataValueKind.SimpleString or MetadataValueKind.BulkString;

    /// <summary>Number of elements, or of pairs for a map.</summary>
    public int Count => Kind == MetadataValueKind.Map ? Items.Length / 2 : Items.Length;

    /// <summary>The value of a map entry, or null.</summary>
    public MetadataValue? Field(string key)
    {
        if (Kind != MetadataValueKind.Map)
        {
            return null;
        }
        for (var i = 0; i < Items.Length; i += 2)
        {
            if (Items[i].Text == key)
            {
                return Items[i + 1];
            }
        }
        return null;
    }

    public static MetadataValue BulkString(string text) => new(MetadataValueKind.BulkString, Encoding.UTF8.GetBytes(text));

    public static MetadataValue FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => new(MetadataValueKind.Integer, integer: element.GetInt64()),
        JsonValueKind.Null => new(MetadataValueKind.Null),
        JsonValueKind.String => FromJsonString(element.GetString()!),
        JsonValueKind.Array => FromJsonArray(element),
        JsonValueKind.Object => FromJsonObject(element),
        _ => throw new InvalidDataException($"Unexpected JSON {element.ValueKind} in command metadata."),
    };

    private static MetadataValue FromJsonString(string text) => text switch
    {
        ['+', .. var simple] => new(MetadataValueKind.SimpleString, Encoding.UTF8.GetBytes(simple)),
        ['\\', .. var escaped] => new(MetadataValueKind.BulkString, Encoding.UTF8.GetBytes(escaped)),
        _ => new(MetadataValueKind.BulkString, Encoding.UTF8.GetBytes(text)),
    };

    private static MetadataValue FromJsonArray(JsonElement element)
    {
        var length = element.GetArrayLength();
        var isSet = length > 0 && element[0].ValueKind == JsonValueKind.String && element[0].ValueEquals("~");
        var items = new MetadataValue[isSet ? length - 1 : length];
        var i = 0;
        var skipMarker = isSet;
        foreach (var item in element.EnumerateArray())
        {
            if (skipMarker)
            {
                skipMarker = false;
                continue;
            }
            items[i++] = FromJson(item);
        }
        return new(isSet ? MetadataValueKind.Set : MetadataValueKind.Array, items: items);
    }

    private static MetadataValue FromJsonObject(JsonElement element)
    {
        var items = new List<MetadataValue>();
        foreach (var property in element.EnumerateObject())
        {
            items.Add(BulkString(property.Name));
            items.Add(FromJson(property.Value));
        }
        return new(MetadataValueKind.Map, items: [.. items]);
    }

    /// <summary>Writes the value; RespWriter turns maps and sets into arrays in RESP2, as Redis does.</summary>
    public void Write(RespWriter writer)
    {
        switch (Kind)
        {
            case MetadataValueKind.SimpleString:
                writer.WriteSimpleString(Utf8);
                break;
            case MetadataValueKind.BulkString:
                writer.WriteBulkString(Utf8);
                break;
            case MetadataValueKind.Integer:
                writer.WriteInteger(Integer);
                break;
            case MetadataValueKind.Null:
                writer.WriteNullBulk();
                break;
            default:
                WriteHeader(writer, Count);
                foreach (var item in Items)
                {
                    item.Write(writer);
                }
                break;
        }
    }

    /// <summary>Writes the header of an aggregate of this value's kind with another element count.</summary>
    public void WriteHeader(RespWriter writer, int count)
    {
        switch (Kind)
        {
            case MetadataValueKind.Map:
                writer.WriteMapHeader(count);
                break;
            case MetadataValueKind.Set:
                writer.WriteSetHeader(count);
                break;
            case MetadataValueKind.Array:
                writer.WriteArrayHeader(count);
                break;
            default:
                throw new InvalidOperationException($"A {Kind} has no header.");
        }
    }
}
