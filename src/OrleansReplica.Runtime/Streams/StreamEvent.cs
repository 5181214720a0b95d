namespace OrleansReplica.Runtime;

/// <summary>An item, completion or error queued for one subscriber.</summary>
internal readonly record struct StreamEvent<T>(StreamEventKind Kind, T Item, StreamSequenceToken? Token, Exception? Error);
