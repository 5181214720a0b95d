namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>
/// A write-only stream that sends what is written to several replicas at once (one snapshot shared
/// by the replicas of a full sync). A replica that goes away is dropped; the others go on.
/// </summary>
public sealed class ReplicaFanOutStream(IReadOnlyList<ReplicaSender> replicas) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Writes <paramref name="bytes"/> to every replica still connected.</summary>
    public static async Task WriteToAllAsync(IReadOnlyList<ReplicaSender> replicas, ReadOnlyMemory<byte> bytes)
    {
        foreach (var replica in replicas)
        {
            if (replica.Closed)
            {
                continue;
            }
            try
            {
                await replica.WriteAsync(bytes);
            }
            catch (OperationCanceledException)
            {
                // Closed meanwhile: the others still get the snapshot.
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(WriteToAllAsync(replicas, buffer));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteToAllAsync(replicas, buffer.AsMemory(offset, count));

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteToAllAsync(replicas, buffer.AsMemory(offset, count)).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
