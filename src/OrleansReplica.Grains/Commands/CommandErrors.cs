namespace OrleansReplica.Grains.Commands;

/// <summary>Redis 7.0's error replies, word for word.</summary>
public static class CommandErrors
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Syntax = "ERR syntax error";
    public const string NoSuchKey = "ERR no such key";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string BitOffset = "ERR bit offset is not an integer or out of range";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public const string OutOfRange = "ERR value is out of range, must be positive";
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";

    public static string WrongArgumentCount(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string InvalidExpireTime(string command) => $"ERR invalid expire time in '{command}' command";

    public static string UnknownSubcommand(string subcommand, string container) =>
        $"ERR unknown subcommand '{Truncate(subcommand)}'. Try {container.ToUpperInvariant()} HELP.";

    /// <summary>Redis shows at most 128 characters of a user's argument in error messages.</summary>
    public static string Truncate(string text) => text.Length > 128 ? text[..128] : text;
}
