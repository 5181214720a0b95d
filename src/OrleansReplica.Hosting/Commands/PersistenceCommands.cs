using OrleansReplica.Grains.Commands;

namespace OrleansReplica.Hosting.Commands;

/// <summary>SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF, and FLUSHALL's reset of the save state.</summary>
public static class PersistenceCommands
{
    /// <summary>Registers after the key commands: FLUSHALL wraps their flush.</summary>
    public static void Register(CommandTable table)
    {
        table.Handle("save", SaveAsync);
        table.Handle("bgsave", BackgroundSave);
        table.Handle("bgrewriteaof", RewriteAof);
        var flushAll = table.Find("flushall"u8)!.Handler!;
        table.Handle("flushall", c => FlushAllAsync(c, flushAll), KeyScope.AllShards);
    }

    /// <summary>
    /// FLUSHALL also stops the saves in progress (their data is gone) and, when save points are set,
    /// saves the empty dataset so a restart does not bring the old data back, as Redis does.
    /// </summary>
    private static async ValueTask FlushAllAsync(CommandContext c, CommandHandler flush)
    {
        flush(c);
        if (c.Failed)
        {
            return;
        }
        var silo = c.Client().Silo;
        silo.Rdb.CancelSaves();
        if (silo.Config.Save.Count == 0)
        {
            c.Keyspace.Dirty++;
            return;
        }
        await silo.Rdb.SaveHeldAsync(c.Keyspace.HeldShards.ToArray());
        c.Keyspace.Dirty = 0;
        silo.ResetDirty();
    }

    private static async ValueTask SaveAsync(CommandContext c)
    {
        var rdb = c.Client().Silo.Rdb;
        if (rdb.BackgroundSaveInProgress)
        {
            c.Error("ERR Background save already in progress");
            return;
        }
        if (await rdb.SaveAsync())
        {
            c.Reply.WriteOk();
        }
        else
        {
            c.Error("ERR");
        }
    }

    private static void RewriteAof(CommandContext c)
    {
        if (!c.Client().Silo.Aof.TryStartRewrite())
        {
            c.Error("ERR Background append only file rewriting already in progress");
            return;
        }
        c.Reply.WriteSimpleString("Background append only file rewriting started");
    }

    private static void BackgroundSave(CommandContext c)
    {
        if (c.Args.Count > 2 || (c.Args.Count == 2 && !c.ArgIs(1, "SCHEDULE")))
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        if (!c.Client().Silo.Rdb.TryStartBackgroundSave())
        {
            c.Error("ERR Background save already in progress");
            return;
        }
        c.Reply.WriteSimpleString("Background saving started");
    }
}
