using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Protocol.Tests.Resp;

/// <summary>One request input and what Redis 7.0.15 does with it (each was checked against the real server).</summary>
public sealed record ReaderCase(
    string Input,
    RespParseStatus Status,
    string[]? Args = null,
    int Consumed = 0,
    string? Error = null,
    bool Authenticated = true,
    bool Inline = false)
{
    public static ReaderCase Ok(string input, int consumed, params string[] args) => new(input, RespParseStatus.Complete, args, consumed);

    public static ReaderCase OkInline(string input, int consumed, params string[] args) => new(input, RespParseStatus.Complete, args, consumed, Inline: true);

    public static ReaderCase Wait(string input, bool authenticated = true) => new(input, RespParseStatus.Incomplete, Authenticated: authenticated);

    public static ReaderCase Fail(string input, string error, bool authenticated = true) => new(input, RespParseStatus.Error, Error: error, Authenticated: authenticated);
}
