using System.Threading.Channels;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Runtime;

namespace OrleansReplica.Tests.Unit;

/// <summary>The replication stream: subscriptions from an offset, the backlog as its cache, forwarded bytes, completion.</summary>
public sealed class ReplicationStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_subscription_replays_the_backlog_from_its_offset_then_follows_new_bytes()
    {
        var (backlog, stream) = Start();
        var payload = Enumerable.Range(0, 40_000).Select(static i => (byte)i).ToArray();
        backlog.AppendRaw(payload.AsSpan(0, 30_000), 0);
        var observer = new RecordingObserver();

        var handle = await stream.SubscribeAsync(observer, new LongSequenceToken(101));
        backlog.AppendRaw(payload.AsSpan(30_000), 0);

        var received = await observer.ReceiveAsync(40_000 - 100);
        Assert.Equal(payload.AsSpan(100).ToArray(), received);
        Assert.Equal(101, observer.Batches[0].Offset);
        // The first batch ends at a block's end with more bytes behind it; the last one has nothing behind it.
        Assert.True(observer.Batches[0].MoreReady);
        Assert.False(observer.Batches[^1].MoreReady);
        for (var i = 1; i < observer.Batches.Count; i++)
        {
            Assert.Equal(observer.Batches[i - 1].Offset + observer.Batches[i - 1].Bytes.Length, observer.Batches[i].Offset);
        }
        Assert.Equal(0, ((ReplicationSubscription)handle).Pending);
        await handle.UnsubscribeAsync();
        Assert.Empty(stream.Subscriptions);
    }

    [Fact]
    public async Task A_slow_subscriber_gets_every_byte_while_the_backlog_reuses_its_blocks()
    {
        var (backlog, stream) = Start();
        backlog.Size = 16 * 1024;
        var payload = Enumerable.Range(0, 2_000_000).Select(static i => (byte)(i * 7 + i / 251)).ToArray();
        var observer = new RecordingObserver { Delay = TimeSpan.FromMilliseconds(1) };
        await stream.SubscribeAsync(observer, new LongSequenceToken(1));

        for (var at = 0; at < payload.Length; at += 3_001)
        {
            backlog.AppendRaw(payload.AsSpan(at, Math.Min(3_001, payload.Length - at)), 0);
        }
        // A second subscriber from the backlog's start, on blocks the first one released for reuse.
        var late = new RecordingObserver();
        var lateFrom = backlog.FirstByteOffset;
        await stream.SubscribeAsync(late, new LongSequenceToken(lateFrom));
        backlog.AppendRaw(payload.AsSpan(0, 100_000), 0);

        var again = payload[..100_000];
        Assert.Equal(payload.Concat(again).ToArray(), await observer.ReceiveAsync(payload.Length + again.Length));
        // Offset 1 is the payload's first byte.
        var tail = payload[((int)lateFrom - 1)..];
        Assert.Equal(tail.Concat(again).ToArray(), await late.ReceiveAsync(tail.Length + again.Length));
    }

    [Fact]
    public async Task An_offset_the_backlog_no_longer_holds_is_a_cache_miss()
    {
        var (backlog, stream) = Start();
        backlog.Size = 16 * 1024;
        backlog.AppendRaw(new byte[200_000], 0);

        await Assert.ThrowsAsync<QueueCacheMissException>(() => stream.SubscribeAsync(new RecordingObserver(), new LongSequenceToken(1)));
        await Assert.ThrowsAsync<QueueCacheMissException>(() => stream.SubscribeAsync(new RecordingObserver(), new LongSequenceToken(backlog.Offset + 2)));
        var handle = await stream.SubscribeAsync(new RecordingObserver(), new LongSequenceToken(backlog.FirstByteOffset));
        await handle.UnsubscribeAsync();
    }

    [Fact]
    public async Task Forwarded_bytes_must_follow_the_streams_end()
    {
        var (backlog, stream) = Start();
        var observer = new RecordingObserver();
        await stream.SubscribeAsync(observer);

        await stream.OnNextAsync(new ReplicationBatch(1, "*1\r\n$4\r\nPING\r\n"u8.ToArray(), 0));
        await Assert.ThrowsAsync<ArgumentException>(() => stream.OnNextAsync(new ReplicationBatch(1, new byte[3], 0)));

        Assert.Equal("*1\r\n$4\r\nPING\r\n"u8.ToArray(), await observer.ReceiveAsync(14));
        Assert.Equal(14, backlog.Offset);
    }

    [Fact]
    public async Task Completion_reaches_the_observer_after_the_bytes_it_was_due()
    {
        var (backlog, stream) = Start();
        var observer = new RecordingObserver();
        var handle = (ReplicationSubscription)await stream.SubscribeAsync(observer);
        backlog.AppendRaw(new byte[5000], 0);

        await stream.OnCompletedAsync();

        await handle.Completion.WaitAsync(Timeout);
        Assert.True(observer.Completed);
        Assert.Equal(5000, observer.Batches.Sum(static batch => batch.Bytes.Length));
        Assert.Empty(stream.Subscriptions);
    }

    private static (ReplicationBacklog Backlog, ReplicationStream Stream) Start()
    {
        var backlog = new ReplicationBacklog();
        backlog.Activate();
        return (backlog, new ReplicationStream(backlog));
    }

    /// <summary>Copies what it is given (the slices belong to the backlog) and signals each batch.</summary>
    private sealed class RecordingObserver : IAsyncObserver<ReplicationBatch>
    {
        private readonly Channel<byte[]> _arrived = Channel.CreateUnbounded<byte[]>();

        public List<ReplicationBatch> Batches { get; } = [];

        public bool Completed { get; private set; }

        /// <summary>How long each batch takes to handle (a slow replica), before its bytes are copied.</summary>
        public TimeSpan Delay { get; init; }

        public async Task OnNextAsync(ReplicationBatch item, StreamSequenceToken? token = null)
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay);
            }
            var copy = item.Bytes.ToArray();
            Batches.Add(item with { Bytes = copy });
            _arrived.Writer.TryWrite(copy);
        }

        public Task OnCompletedAsync()
        {
            Completed = true;
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

        public async Task<byte[]> ReceiveAsync(int count)
        {
            var received = new List<byte>();
            using var timeout = new CancellationTokenSource(Timeout);
            while (received.Count < count)
            {
                received.AddRange(await _arrived.Reader.ReadAsync(timeout.Token));
            }
            return [.. received];
        }
    }
}
