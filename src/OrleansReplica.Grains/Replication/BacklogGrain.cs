using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Replication;

/// <summary>Keeps the silo's replication history: see <see cref="IBacklogGrain"/>.</summary>
public sealed class BacklogGrain(ReplicationBacklog backlog, ReplicationStream stream, PropagationLog propagation) : Grain, IBacklogGrain
{
    public Task<ReplicationSubscription?> TryContinueAsync(string replId, long offset, IAsyncObserver<ReplicationBatch> replica)
    {
        if (!backlog.CanContinue(replId, offset))
        {
            return Task.FromResult<ReplicationSubscription?>(null);
        }
        try
        {
            return Task.FromResult<ReplicationSubscription?>(stream.Subscribe(replica, offset));
        }
        catch (QueueCacheMissException)
        {
            return Task.FromResult<ReplicationSubscription?>(null);
        }
    }

    public Task ActivateAsync()
    {
        if (!backlog.Active)
        {
            backlog.Activate();
            propagation.AddSink(backlog);
        }
        return Task.CompletedTask;
    }

    public Task FollowMasterAsync()
    {
        propagation.RemoveSink(backlog);
        return Task.CompletedTask;
    }

    public Task<bool> ContinueFromMasterAsync(string? replId)
    {
        if (!backlog.Active)
        {
            // A history never served yet: start keeping the backlog from here, same id and offset.
            backlog.Reset(backlog.ReplId, backlog.Offset, backlog.StreamDb);
        }
        // If something made the backlog a sink meanwhile, it would get every applied command twice.
        propagation.RemoveSink(backlog);
        if (replId is null || replId == backlog.ReplId)
        {
            return Task.FromResult(false);
        }
        backlog.AdoptReplId(replId);
        return Task.FromResult(true);
    }

    public Task ResetAsync(string replId, long offset, int streamDb)
    {
        backlog.Reset(replId, offset, streamDb);
        propagation.RemoveSink(backlog);
        return Task.CompletedTask;
    }

    public Task PromoteAsync()
    {
        backlog.ShiftReplId();
        propagation.RemoveSink(backlog);
        if (backlog.Active)
        {
            propagation.AddSink(backlog);
        }
        return Task.CompletedTask;
    }

    public Task FreeAsync()
    {
        propagation.RemoveSink(backlog);
        backlog.Deactivate();
        return Task.CompletedTask;
    }
}
