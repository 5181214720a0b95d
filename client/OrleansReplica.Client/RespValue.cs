using System.Text;

namespace OrleansReplica.Client;

/// <summary>One parsed reply, of any RESP2 or RESP3 type; <see cref="ToString"/> renders it like redis-cli does.</summary>
public abstract record RespValue
{
    /// <summary>RESP3 attributes ("|" frame) that preceded this reply, if any.</summary>
    public RespMap? Attributes { get; init; }

    /// <summary>A RESP3 null, a null bulk string or a null array.</summary>
    public virtual bool IsNull => false;

    /// <summary>The reply is an error.</summary>
    public bool IsError => this is RespError;

    /// <summary>Text of a string-like reply (simple, bulk as UTF-8, verbatim, error, number); null for a null or an aggregate.</summary>
    public virtual string? AsString() => null;

    /// <summary>The value of an integer reply, or of a string reply that holds an integer.</summary>
    public long AsInt64() => this switch
    {
        RespInteger i => i.Value,
        RespBoolean b => b.Value ? 1 : 0,
        _ => long.TryParse(AsString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new InvalidOperationException($"Not an integer reply: {this}"),
    };

    /// <summary>Elements of an array, set or push reply, or a map's keys and values interleaved; empty for a null.</summary>
    public virtual IReadOnlyList<RespValue> AsList() => throw new InvalidOperationException($"Not an aggregate reply: {this}");

    /// <summary>The reply as redis-cli prints it (without the final newline).</summary>
    public sealed override string ToString()
    {
        var text = new StringBuilder();
        RedisCliFormatter.Append(text, this, string.Empty);
        if (text.Length > 0 && text[^1] == '\n')
        {
            text.Length--;
        }

        return text.ToString();
    }
}
