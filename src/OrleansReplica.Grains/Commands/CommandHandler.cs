namespace OrleansReplica.Grains.Commands;

/// <summary>Executes one command synchronously, writing its reply; runs while the needed shard turns are held.</summary>
public delegate void CommandHandler(CommandContext context);

/// <summary>Executes a command that must wait (DEBUG SLEEP, SHUTDOWN, WAIT ...).</summary>
public delegate ValueTask AsyncCommandHandler(CommandContext context);
