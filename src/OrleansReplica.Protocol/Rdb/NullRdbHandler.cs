namespace OrleansReplica.Protocol.Rdb;

/// <summary>Takes everything a reader decodes and keeps nothing: reading with it only validates the RDB.</summary>
public sealed class NullRdbHandler : IRdbHandler
{
    public void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) { }

    public void OnSelectDb(int db) { }

    public void OnResizeDb(long keys, long expires) { }

    public void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata) { }

    public void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) { }

    public void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) { }

    public void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) { }

    public void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) { }

    public void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) { }

    public void OnFunction(ReadOnlySpan<byte> libraryCode) { }

    public void OnModuleAux(ReadOnlySpan<byte> moduleName) { }
}
