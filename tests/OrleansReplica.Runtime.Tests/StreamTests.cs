using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class StreamTests
{
    private static readonly StreamId Id = new("replication", "main");

    [Fact]
    public async Task Items_arrive_in_order_one_at_a_time_with_assigned_tokens()
    {
        var stream = new MemoryStreamProvider("mem").GetStream<int>(Id);
        var first = new RecordingObserver<int>();
        var second = new RecordingObserver<int>();
        await stream.SubscribeAsync(first);
        await stream.SubscribeAsync(second);

        for (var i = 1; i <= 500; i++)
        {
            await stream.OnNextAsync(i);
        }

        await Wait.Until(() => first.Items.Count == 500 && second.Items.Count == 500, "all items");
        foreach (var observer in new[] { first, second })
        {
            Assert.False(observer.Overlapped);
            Assert.Equal(Enumerable.Range(1, 500), observer.Items.Select(e => e.Item));
            Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), observer.Items.Select(e => ((LongSequenceToken)e.Token!).SequenceNumber));
        }
    }

    [Fact]
    public async Task Producers_do_not_wait_for_observers()
    {
        var stream = new MemoryStreamProvider("mem").GetStream<int>(Id);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingObserver<int> { Gate = gate.Task };
        await stream.SubscribeAsync(slow);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(stream.OnNextAsync(i).IsCompletedSuccessfully);
        }

        Assert.Empty(slow.Items);
        gate.SetResult();
        await Wait.Until(() => slow.Items.Count == 10, "the queued items");
    }

    [Fact]
    public async Task Explicit_tokens_must_increase_and_numbering_continues_from_them()
    {
        var stream = new MemoryStreamProvider("mem").GetStream<string>(Id);
        var observer = new RecordingObserver<string>();
        await stream.SubscribeAsync(observer);

        await stream.OnNextAsync("a", new LongSequenceToken(100));
        await stream.OnNextAsync("b");
        await Assert.ThrowsAsync<ArgumentException>(() => stream.OnNextAsync("c", new LongSequenceToken(101)));

        await Wait.Until(() => observer.Items.Count == 2, "two items");
        Assert.Equal([100L, 101L], observer.Items.Select(e => ((LongSequenceToken)e.Token!).SequenceNumber));
    }

    [Fact]
    public async Task Subscribing_from_a_token_replays_the_cache_then_follows_live_items()
    {
        var stream = new MemoryStreamProvider("mem", cacheSize: 10).GetStream<int>(Id);
        for (var i = 1; i <= 25; i++)
        {
            await stream.OnNextAsync(i);
        }

        var late = new RecordingObserver<int>();
        await stream.SubscribeAsync(late, new LongSequenceToken(20));
        await stream.OnNextAsync(26);

        await Wait.Until(() => late.Items.Count == 7, "replayed and live items");
        Assert.Equal(Enumerable.Range(20, 7), late.Items.Select(e => e.Item));
        await stream.SubscribeAsync(new RecordingObserver<int>(), new LongSequenceToken(17)); // oldest cached
        await Assert.ThrowsAsync<QueueCacheMissException>(() => stream.SubscribeAsync(new RecordingObserver<int>(), new LongSequenceToken(16)));
    }

    [Fact]
    public async Task Unsubscribing_stops_delivery()
    {
        var stream = new MemoryStreamProvider("mem").GetStream<int>(Id);
        var leaving = new RecordingObserver<int>();
        var handle = await stream.SubscribeAsync(leaving);
        await stream.OnNextAsync(1);
        await Wait.Until(() => leaving.Items.Count == 1, "the first item");

        await handle.UnsubscribeAsync();
        var staying = new RecordingObserver<int>();
        await stream.SubscribeAsync(staying);
        await stream.OnNextAsync(2);
        await Wait.Until(() => staying.Items.Count == 1, "the item after unsubscribing");

        Assert.Equal([1], leaving.Items.Select(e => e.Item));
    }

    [Fact]
    public async Task Completion_and_errors_follow_the_items()
    {
        var stream = new MemoryStreamProvider("mem").GetStream<int>(Id);
        var completed = new RecordingObserver<int>();
        await stream.SubscribeAsync(completed);

        await stream.OnNextAsync(1);
        await stream.OnCompletedAsync();
        await Wait.Until(() => completed.Completed, "completion");
        Assert.Single(completed.Items);

        await stream.OnErrorAsync(new IOException("link lost"));
        await Wait.Until(() => completed.Error is IOException, "the error");
    }

    [Fact]
    public void Streams_are_identified_by_provider_and_id()
    {
        var provider = new MemoryStreamProvider("mem");

        Assert.Same(provider.GetStream<int>(Id), provider.GetStream<int>(Id));
        Assert.Equal(provider.GetStream<int>(Id), new MemoryStreamProvider("mem").GetStream<int>(Id));
        Assert.NotEqual(provider.GetStream<int>(Id), new MemoryStreamProvider("other").GetStream<int>(Id));
        Assert.Throws<InvalidOperationException>(() => provider.GetStream<string>(Id));
    }
}
