namespace OrleansReplica.Protocol.Rdb;

/// <summary>The RDB opcodes that precede something other than a key (Redis 7.0 numbering).</summary>
public static class RdbOpcode
{
    public const byte Function2 = 245;
    public const byte Function = 246; // 7.0 release candidates only
    public const byte ModuleAux = 247;
    public const byte Idle = 248;
    public const byte Freq = 249;
    public const byte Aux = 250;
    public const byte ResizeDb = 251;
    public const byte ExpireTimeMs = 252;
    public const byte ExpireTime = 253;
    public const byte SelectDb = 254;
    public const byte Eof = 255;
}

/// <summary>The RDB value types (the byte before a key), with the names redis-check-rdb prints.</summary>
public static class RdbObjectType
{
    public const byte String = 0;
    public const byte List = 1;
    public const byte Set = 2;
    public const byte ZSet = 3;
    public const byte Hash = 4;
    public const byte ZSet2 = 5;
    public const byte ModulePreGa = 6;
    public const byte Module2 = 7;
    public const byte HashZipmap = 9;
    public const byte ListZiplist = 10;
    public const byte SetIntset = 11;
    public const byte ZSetZiplist = 12;
    public const byte HashZiplist = 13;
    public const byte ListQuicklist = 14;
    public const byte StreamListpacks = 15;
    public const byte HashListpack = 16;
    public const byte ZSetListpack = 17;
    public const byte ListQuicklist2 = 18;
    public const byte StreamListpacks2 = 19;
    public const byte SetListpack = 20;
    public const byte StreamListpacks3 = 21;

    /// <summary>A short human name of a value type ("string", "quicklist-v2", ...); "unknown" for other bytes.</summary>
    public static string Name(int type) => type switch
    {
        String => "string",
        List => "list-linked",
        Set => "set-hashtable",
        ZSet => "zset-v1",
        Hash => "hash-hashtable",
        ZSet2 => "zset-v2",
        ModulePreGa => "module-pre-release",
        Module2 => "module-value",
        HashZipmap => "hash-zipmap",
        ListZiplist => "list-ziplist",
        SetIntset => "set-intset",
        ZSetZiplist => "zset-ziplist",
        HashZiplist => "hash-ziplist",
        ListQuicklist => "quicklist",
        StreamListpacks => "stream",
        HashListpack => "hash-listpack",
        ZSetListpack => "zset-listpack",
        ListQuicklist2 => "quicklist-v2",
        StreamListpacks2 => "stream-v2",
        SetListpack => "set-listpack",
        StreamListpacks3 => "stream-v3",
        _ => "unknown",
    };
}
