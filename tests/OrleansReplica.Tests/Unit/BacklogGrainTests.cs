using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Runtime;

namespace OrleansReplica.Tests.Unit;

/// <summary>The backlog grain's decisions: PSYNC continuing or not, promotion (replid2), a replica taking its master's history, freeing.</summary>
public sealed class BacklogGrainTests : IAsyncLifetime
{
    private static readonly byte[] Set = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");

    private readonly ReplicationBacklog _backlog = new();
    private readonly PropagationLog _propagation = new();
    private GrainRuntime _runtime = null!;
    private IBacklogGrain _grain = null!;

    public Task InitializeAsync()
    {
        var services = new ServiceCollection()
            .AddSingleton(_backlog)
            .AddSingleton(new ReplicationStream(_backlog))
            .AddSingleton(_propagation)
            .BuildServiceProvider();
        _runtime = new GrainRuntime(new GrainRegistry().AddGrain<IBacklogGrain, BacklogGrain>(static invoker => new BacklogGrainReference(invoker)), services);
        _grain = _runtime.GetGrain<IBacklogGrain>(0);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _runtime.DisposeAsync();

    [Fact]
    public async Task Psync_continues_only_with_our_id_and_an_offset_the_backlog_holds()
    {
        Assert.Null(await _grain.TryContinueAsync(_backlog.ReplId, 1, new Discard()));

        await _grain.ActivateAsync();
        Assert.True(_propagation.HasSinks);
        _propagation.Append(0, Set);
        var end = _backlog.Offset;

        Assert.Null(await _grain.TryContinueAsync(new string('a', 40), end + 1, new Discard()));
        Assert.Null(await _grain.TryContinueAsync(_backlog.ReplId, end + 2, new Discard()));
        var subscription = await _grain.TryContinueAsync(_backlog.ReplId, 1, new Discard());
        Assert.NotNull(subscription);
        await subscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_promotion_keeps_the_old_id_valid_up_to_the_offset_it_reached()
    {
        await _grain.ResetAsync(new string('b', 40), 1000, 0);
        Assert.False(_propagation.HasSinks);
        await _grain.PromoteAsync();
        Assert.True(_propagation.HasSinks);
        _propagation.Append(0, Set);

        Assert.Equal(new string('b', 40), _backlog.ReplId2);
        Assert.Equal(1001, _backlog.SecondReplOffset);
        var continued = await _grain.TryContinueAsync(new string('b', 40), 1001, new Discard());
        Assert.NotNull(continued);
        await continued.UnsubscribeAsync();
        Assert.Null(await _grain.TryContinueAsync(new string('b', 40), 1002, new Discard()));
    }

    [Fact]
    public async Task A_replica_continuing_with_a_new_master_id_takes_it()
    {
        await _grain.FollowMasterAsync();
        Assert.False(await _grain.ContinueFromMasterAsync(_backlog.ReplId));
        Assert.True(_backlog.Active);

        var old = _backlog.ReplId;
        Assert.True(await _grain.ContinueFromMasterAsync(new string('c', 40)));
        Assert.Equal(new string('c', 40), _backlog.ReplId);
        Assert.Equal(old, _backlog.ReplId2);
        Assert.False(_propagation.HasSinks);
    }

    [Fact]
    public async Task Freeing_the_backlog_starts_a_new_history()
    {
        await _grain.ActivateAsync();
        var old = _backlog.ReplId;
        await _grain.FreeAsync();

        Assert.False(_backlog.Active);
        Assert.False(_propagation.HasSinks);
        Assert.NotEqual(old, _backlog.ReplId);
        Assert.Null(await _grain.TryContinueAsync(old, 1, new Discard()));
    }

    private sealed class Discard : IAsyncObserver<ReplicationBatch>
    {
        public Task OnNextAsync(ReplicationBatch item, StreamSequenceToken? token = null) => Task.CompletedTask;

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
