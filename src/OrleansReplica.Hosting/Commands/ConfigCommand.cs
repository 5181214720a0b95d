using OrleansReplica.Grains.Commands;
using OrleansReplica.Hosting.Configuration;

namespace OrleansReplica.Hosting.Commands;

/// <summary>CONFIG GET, SET, RESETSTAT, REWRITE and HELP over the silo's <see cref="ServerConfig"/>.</summary>
public static class ConfigCommand
{
    public static void Register(CommandTable table)
    {
        table.Handle("config|get", Get);
        table.Handle("config|set", Set);
        table.Handle("config|resetstat", ResetStat);
        table.Handle("config|rewrite", Rewrite);
        table.Handle("config|help", Help);
    }

    private static void Get(CommandContext c)
    {
        var patterns = new string[c.Args.Count - 2];
        for (var i = 0; i < patterns.Length; i++)
        {
            patterns[i] = c.ArgText(i + 2);
        }
        var matches = c.Client().Silo.Config.GetMatching(patterns);
        c.Reply.WriteMapHeader(matches.Count);
        foreach (var (name, value) in matches)
        {
            c.Reply.WriteBulkString(name);
            c.Reply.WriteBulkString(value);
        }
    }

    private static void Set(CommandContext c)
    {
        if (c.Args.Count % 2 != 0)
        {
            c.Error(CommandErrors.WrongArgumentCount("config|set"));
            return;
        }
        var pairs = new List<(string Name, string Value)>();
        for (var i = 2; i < c.Args.Count; i += 2)
        {
            pairs.Add((c.ArgText(i), c.ArgText(i + 1)));
        }
        var client = c.Client();
        var local = client.Session.Address.StartsWith("127.", StringComparison.Ordinal);
        if (client.Silo.Config.Set(pairs, local) is { } error)
        {
            c.Error(error);
            return;
        }
        c.Reply.WriteOk();
    }

    private static void ResetStat(CommandContext c)
    {
        var silo = c.Client().Silo;
        silo.Stats.Reset();
        silo.Commands.ResetStats();
        c.Reply.WriteOk();
    }

    private static void Rewrite(CommandContext c)
    {
        var silo = c.Client().Silo;
        if (ConfigRewriter.Rewrite(silo.Config) is { } error)
        {
            silo.Log.Warning($"CONFIG REWRITE failed: {error}");
            c.Error(error);
            return;
        }
        silo.Log.Notice("CONFIG REWRITE executed with success.");
        c.Reply.WriteOk();
    }

    private static void Help(CommandContext c)
    {
        string[] lines =
        [
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Print this help.",
        ];
        c.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines)
        {
            c.Reply.WriteSimpleString(line);
        }
    }
}
