namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Takes everything a reader decodes and keeps nothing, so reading with it only validates the RDB.
/// Derived handlers watch what they need: every key (whatever its type) reaches <see cref="OnKey"/>.
/// </summary>
public class RdbHandler : IRdbHandler
{
    public virtual void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) { }

    public virtual void OnSelectDb(int db) { }

    public virtual void OnResizeDb(long keys, long expires) { }

    public virtual void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata) => OnKey(metadata);

    public virtual void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) => OnKey(metadata);

    public virtual void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) => OnKey(metadata);

    public virtual void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) => OnKey(metadata);

    public virtual void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) => OnKey(metadata);

    public virtual void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) => OnKey(metadata);

    public virtual void OnFunction(ReadOnlySpan<byte> libraryCode) { }

    public virtual void OnModuleAux(ReadOnlySpan<byte> moduleName) { }

    /// <summary>Called for every key, after its type's own callback.</summary>
    protected virtual void OnKey(in RdbKeyMetadata metadata) { }
}
