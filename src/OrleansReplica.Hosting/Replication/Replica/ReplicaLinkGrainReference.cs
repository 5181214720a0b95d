using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>The reference through which commands, the silo and the link's own attempts reach the replica link grain.</summary>
public sealed class ReplicaLinkGrainReference(GrainInvoker<IReplicaLinkGrain> invoker) : GrainReference<IReplicaLinkGrain>(invoker), IReplicaLinkGrain
{
    public Task StartAsync() => InvokeAsync(0, static (grain, _) => grain.StartAsync());

    public Task<bool> ReplicaOfAsync(string host, int port) =>
        InvokeAsync((host, port), static (grain, master) => grain.ReplicaOfAsync(master.host, master.port));

    public Task PromoteAsync() => InvokeAsync(0, static (grain, _) => grain.PromoteAsync());

    public Task StopAsync() => InvokeAsync(0, static (grain, _) => grain.StopAsync());

    public Task<(string ReplId, long Offset)> PsyncRequestAsync(ReplicaLinkRun run) =>
        InvokeAsync(run, static (grain, run) => grain.PsyncRequestAsync(run));

    public Task InstallSnapshotAsync(ReplicaLinkRun run, SnapshotLoader loader, string replId, long offset, bool legacy) =>
        InvokeAsync((run, loader, replId, offset, legacy), static (grain, sync) => grain.InstallSnapshotAsync(sync.run, sync.loader, sync.replId, sync.offset, sync.legacy));

    public Task ContinueAsync(ReplicaLinkRun run, string? replId) =>
        InvokeAsync((run, replId), static (grain, sync) => grain.ContinueAsync(sync.run, sync.replId));

    public ValueTask ApplyStreamAsync(ReplicaLinkRun run) => InvokeAsync(run, static (grain, run) => grain.ApplyStreamAsync(run));
}
