using System.Collections.Concurrent;

namespace OrleansReplica.Hosting.Server;

/// <summary>Server-wide counters shown by INFO stats, reset by CONFIG RESETSTAT.</summary>
public sealed class ServerStats
{
    public long TotalConnectionsReceived;
    public long TotalCommandsProcessed;
    public long RejectedConnections;
    public long TotalNetInputBytes;
    public long TotalNetOutputBytes;
    public long TotalErrorReplies;
    public long UnexpectedErrorReplies;

    /// <summary>Error replies by their first word (ERR, WRONGTYPE ...), for INFO errorstats.</summary>
    public ConcurrentDictionary<string, long> ErrorsByCode { get; } = new(StringComparer.Ordinal);

    public void RecordError(string message)
    {
        Interlocked.Increment(ref TotalErrorReplies);
        var space = message.IndexOf(' ');
        var code = space < 0 ? message : message[..space];
        ErrorsByCode.AddOrUpdate(code, 1, static (_, n) => n + 1);
    }

    public void Reset()
    {
        Volatile.Write(ref TotalConnectionsReceived, 0);
        Volatile.Write(ref TotalCommandsProcessed, 0);
        Volatile.Write(ref RejectedConnections, 0);
        Volatile.Write(ref TotalNetInputBytes, 0);
        Volatile.Write(ref TotalNetOutputBytes, 0);
        Volatile.Write(ref TotalErrorReplies, 0);
        Volatile.Write(ref UnexpectedErrorReplies, 0);
        ErrorsByCode.Clear();
    }
}
