namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Receives what <see cref="RdbReader"/> decodes, in file order. Spans (keys, string values, aux
/// fields) point into the reader's reused buffers and the lists passed for collections are reused
/// for the next key: copy what must outlive the call. The byte arrays inside the lists are fresh
/// and may be kept. Empty collections are skipped, as Redis skips them on load.
/// </summary>
public interface IRdbHandler
{
    void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);

    void OnSelectDb(int db);

    void OnResizeDb(long keys, long expires);

    /// <summary>A string key; integer-encoded values arrive as their decimal text.</summary>
    void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata);

    void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata);

    void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata);

    void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata);

    void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata);

    void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata);

    /// <summary>A function library (FUNCTION2 opcode): its full code, starting with the shebang line.</summary>
    void OnFunction(ReadOnlySpan<byte> libraryCode);

    /// <summary>Module auxiliary data the reader skipped (its payload is self-describing); <paramref name="moduleName"/> is the 9-character module type name.</summary>
    void OnModuleAux(ReadOnlySpan<byte> moduleName);
}
