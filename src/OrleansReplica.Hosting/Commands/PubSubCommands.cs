using OrleansReplica.Grains.Commands;
using OrleansReplica.Hosting.PubSub;

namespace OrleansReplica.Hosting.Commands;

/// <summary>SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBE forms, PUBLISH, SPUBLISH and PUBSUB.</summary>
public static class PubSubCommands
{
    public static void Register(CommandTable table)
    {
        // Shard channels are not keys here (no cluster): none of these needs a shard turn.
        table.Handle("subscribe", static c => Subscribe(c, SubscriptionKind.Channel), KeyScope.None);
        table.Handle("psubscribe", static c => Subscribe(c, SubscriptionKind.Pattern), KeyScope.None);
        table.Handle("ssubscribe", static c => Subscribe(c, SubscriptionKind.ShardChannel), KeyScope.None);
        table.Handle("unsubscribe", static c => Unsubscribe(c, SubscriptionKind.Channel), KeyScope.None);
        table.Handle("punsubscribe", static c => Unsubscribe(c, SubscriptionKind.Pattern), KeyScope.None);
        table.Handle("sunsubscribe", static c => Unsubscribe(c, SubscriptionKind.ShardChannel), KeyScope.None);
        table.Handle("publish", static c => Publish(c, SubscriptionKind.Channel), KeyScope.None);
        table.Handle("spublish", static c => Publish(c, SubscriptionKind.ShardChannel), KeyScope.None);
        table.Handle("pubsub|channels", static c => Channels(c, SubscriptionKind.Channel), KeyScope.None);
        table.Handle("pubsub|shardchannels", static c => Channels(c, SubscriptionKind.ShardChannel), KeyScope.None);
        table.Handle("pubsub|numsub", static c => NumSub(c, SubscriptionKind.Channel), KeyScope.None);
        table.Handle("pubsub|shardnumsub", static c => NumSub(c, SubscriptionKind.ShardChannel), KeyScope.None);
        table.Handle("pubsub|numpat", static c => c.Reply.WriteInteger(c.Client().Silo.PubSub.PatternCount), KeyScope.None);
        table.Handle("pubsub|help", Help, KeyScope.None);
    }

    private static void Subscribe(CommandContext c, SubscriptionKind kind)
    {
        var client = c.Client();
        // Redis refuses SSUBSCRIBE to a client that expects one reply per command, as inside EXEC;
        // here that is a command running while it holds every shard's turn.
        if (kind == SubscriptionKind.ShardChannel && c.Keyspace.HeldShards.Any())
        {
            c.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
            return;
        }
        var hub = client.Silo.PubSub;
        var session = client.Session;
        var word = kind switch
        {
            SubscriptionKind.Channel => "subscribe"u8,
            SubscriptionKind.Pattern => "psubscribe"u8,
            _ => "ssubscribe"u8,
        };
        // Messages of earlier subscriptions go out first; those of the new one only after its confirmation.
        session.Outbox.DrainTo(c.Reply.Output);
        for (var i = 1; i < c.Args.Count; i++)
        {
            hub.Subscribe(session, kind, c.Args[i]);
            WriteConfirmation(c, word, c.Args[i], session.Subscriptions.ReplyCount(kind));
        }
    }

    private static void Unsubscribe(CommandContext c, SubscriptionKind kind)
    {
        var client = c.Client();
        var hub = client.Silo.PubSub;
        var session = client.Session;
        var word = kind switch
        {
            SubscriptionKind.Channel => "unsubscribe"u8,
            SubscriptionKind.Pattern => "punsubscribe"u8,
            _ => "sunsubscribe"u8,
        };
        if (c.Args.Count > 1)
        {
            for (var i = 1; i < c.Args.Count; i++)
            {
                hub.Unsubscribe(session, kind, c.Args[i]);
                DrainPosted(c);
                WriteConfirmation(c, word, c.Args[i], session.Subscriptions.ReplyCount(kind));
            }
            return;
        }
        var names = session.Subscriptions.Snapshot(kind);
        if (names.Length == 0)
        {
            c.Reply.WritePushHeader(3);
            c.Reply.WriteBulkString(word);
            c.Reply.WriteNullBulk();
            c.Reply.WriteInteger(session.Subscriptions.ReplyCount(kind));
            return;
        }
        foreach (var name in names)
        {
            hub.Unsubscribe(session, kind, name);
            DrainPosted(c);
            WriteConfirmation(c, word, name, session.Subscriptions.ReplyCount(kind));
        }
    }

    /// <summary>A message posted before an unsubscription must reach the client before its confirmation.</summary>
    private static void DrainPosted(CommandContext c) => c.Client().Session.Outbox.DrainTo(c.Reply.Output);

    /// <summary>One (un)subscribe confirmation: the command word, the name and the running count.</summary>
    private static void WriteConfirmation(CommandContext c, ReadOnlySpan<byte> word, ReadOnlySpan<byte> name, int count)
    {
        c.Reply.WritePushHeader(3);
        c.Reply.WriteBulkString(word);
        c.Reply.WriteBulkString(name);
        c.Reply.WriteInteger(count);
    }

    private static void Publish(CommandContext c, SubscriptionKind kind)
    {
        var client = c.Client();
        var session = client.Session;
        var hub = client.Silo.PubSub;
        var receivers = kind == SubscriptionKind.ShardChannel
            ? hub.PublishShard(c.Args[1], c.Args[2], session)
            : hub.Publish(c.Args[1], c.Args[2], session);
        // A RESP3 subscriber publishing to itself gets the message before the count, as from Redis.
        session.Outbox.DrainTo(c.Reply.Output);
        c.Reply.WriteInteger(receivers);
    }

    private static void Channels(CommandContext c, SubscriptionKind kind)
    {
        if (c.Args.Count > 3)
        {
            SubcommandSyntaxError(c);
            return;
        }
        var pattern = c.Args.Count == 3 ? c.Args[2].ToArray() : null;
        var names = c.Client().Silo.PubSub.ActiveChannels(kind, pattern);
        c.Reply.WriteArrayHeader(names.Count);
        foreach (var name in names)
        {
            c.Reply.WriteBulkString(name);
        }
    }

    private static void NumSub(CommandContext c, SubscriptionKind kind)
    {
        var hub = c.Client().Silo.PubSub;
        c.Reply.WriteArrayHeader((c.Args.Count - 2) * 2);
        for (var i = 2; i < c.Args.Count; i++)
        {
            c.Reply.WriteBulkString(c.Args[i]);
            c.Reply.WriteInteger(hub.SubscriberCount(kind, c.Args[i]));
        }
    }

    private static void SubcommandSyntaxError(CommandContext c) =>
        c.Error($"ERR unknown subcommand or wrong number of arguments for '{CommandErrors.Truncate(c.ArgText(1))}'. Try {c.ArgText(0).ToUpperInvariant()} HELP.");

    private static void Help(CommandContext c)
    {
        string[] lines =
        [
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help.",
        ];
        c.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines)
        {
            c.Reply.WriteSimpleString(line);
        }
    }
}
