using System.Buffers;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// The database a propagated stream (an AOF file, the replication stream) has selected: a command
/// for another database is preceded by SELECT, as Redis writes its streams.
/// </summary>
public sealed class SelectedDatabase
{
    private int _db = -1;

    /// <summary>The selected database, -1 before the first SELECT.</summary>
    public int Db => _db;

    /// <summary>Forgets the selection: the next command starts with SELECT (a new file, a new stream).</summary>
    public void Reset() => _db = -1;

    /// <summary>Writes SELECT when <paramref name="db"/> is not the selected database (-1: MULTI/EXEC, none needed).</summary>
    public void SelectFor(int db, IBufferWriter<byte> output)
    {
        if (db < 0 || db == _db)
        {
            return;
        }
        RespCommandWriter.WriteArrayHeader(output, 2);
        RespCommandWriter.WriteBulk(output, "SELECT"u8);
        RespCommandWriter.WriteBulk(output, db);
        _db = db;
    }
}
