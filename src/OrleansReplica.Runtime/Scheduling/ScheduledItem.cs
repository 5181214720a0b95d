namespace OrleansReplica.Runtime.Scheduling;

/// <summary>An entry of an activation scheduler's queue: a task, or a callback posted to its synchronization context.</summary>
internal readonly record struct ScheduledItem(Task? Task, SendOrPostCallback? Callback, object? State);
