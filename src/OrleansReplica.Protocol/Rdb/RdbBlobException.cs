namespace OrleansReplica.Protocol.Rdb;

/// <summary>A structural error inside an encoded blob (listpack, ziplist, intset, zipmap) at an index of the blob; the reader maps it to a file offset.</summary>
internal sealed class RdbBlobException(string reason, int index) : Exception(reason)
{
    public string Reason { get; } = reason;

    public int Index { get; } = index;
}
