using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>
/// Expire times: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL, PTTL,
/// EXPIRETIME, PEXPIRETIME and PERSIST.
/// </summary>
public static class ExpireCommands
{
    private const string NxConflict = "ERR NX and XX, GT or LT options at the same time are not compatible";
    private const string GtLtConflict = "ERR GT and LT options at the same time are not compatible";

    public static void Register(CommandTable table)
    {
        table.Handle("expire", static c => Expire(c, inSeconds: true, relative: true));
        table.Handle("pexpire", static c => Expire(c, inSeconds: false, relative: true));
        table.Handle("expireat", static c => Expire(c, inSeconds: true, relative: false));
        table.Handle("pexpireat", static c => Expire(c, inSeconds: false, relative: false));
        table.Handle("ttl", static c => Ttl(c, inMilliseconds: false, absolute: false));
        table.Handle("pttl", static c => Ttl(c, inMilliseconds: true, absolute: false));
        table.Handle("expiretime", static c => Ttl(c, inMilliseconds: false, absolute: true));
        table.Handle("pexpiretime", static c => Ttl(c, inMilliseconds: true, absolute: true));
        table.Handle("persist", Persist);
    }

    [Flags]
    private enum Conditions
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Gt = 4,
        Lt = 8,
    }

    /// <summary>Sets the expire of a key; a time already past deletes the key (on a master) and still answers 1.</summary>
    private static void Expire(CommandContext c, bool inSeconds, bool relative)
    {
        if (!TryParseConditions(c, out var conditions) || !c.TryGetInt64(2, out var when))
        {
            return;
        }
        var keyspace = c.Keyspace;
        if (inSeconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                c.Error(CommandErrors.InvalidExpireTime(c.Command.Name));
                return;
            }
            when *= 1000;
        }
        if (relative)
        {
            if (when > long.MaxValue - keyspace.NowMs)
            {
                c.Error(CommandErrors.InvalidExpireTime(c.Command.Name));
                return;
            }
            when += keyspace.NowMs;
        }
        var key = c.Args[1];
        if (keyspace.Find(key) is null)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        if (conditions != Conditions.None && !ConditionsHold(conditions, keyspace.GetExpire(key), when))
        {
            c.Reply.WriteInteger(0);
            return;
        }
        // A replica keeps past expire times: the master decides when the key goes and sends a DEL.
        if (when <= keyspace.NowMs && keyspace.ExpiresKeys)
        {
            keyspace.Delete(key);
            PropagatedForms.Delete(c, key);
        }
        else
        {
            keyspace.SetExpire(key, when);
            // PEXPIREAT already has the form replicas need and goes verbatim.
            if (inSeconds || relative)
            {
                PropagatedForms.PExpireAt(c, key, when, keepOptions: true);
            }
        }
        c.Reply.WriteInteger(1);
    }

    private static bool ConditionsHold(Conditions conditions, long current, long when)
    {
        // No expire counts as an infinite one: GT never beats it, LT always does.
        if ((conditions & Conditions.Nx) != 0 && current != -1)
        {
            return false;
        }
        if ((conditions & Conditions.Xx) != 0 && current == -1)
        {
            return false;
        }
        if ((conditions & Conditions.Gt) != 0 && (current == -1 || when <= current))
        {
            return false;
        }
        if ((conditions & Conditions.Lt) != 0 && current != -1 && when >= current)
        {
            return false;
        }
        return true;
    }

    private static bool TryParseConditions(CommandContext c, out Conditions conditions)
    {
        conditions = Conditions.None;
        for (var i = 3; i < c.Args.Count; i++)
        {
            if (c.ArgIs(i, "NX"))
            {
                conditions |= Conditions.Nx;
            }
            else if (c.ArgIs(i, "XX"))
            {
                conditions |= Conditions.Xx;
            }
            else if (c.ArgIs(i, "GT"))
            {
                conditions |= Conditions.Gt;
            }
            else if (c.ArgIs(i, "LT"))
            {
                conditions |= Conditions.Lt;
            }
            else
            {
                c.Error("ERR Unsupported option " + c.ArgText(i));
                return false;
            }
        }
        if ((conditions & Conditions.Nx) != 0 && (conditions & (Conditions.Xx | Conditions.Gt | Conditions.Lt)) != 0)
        {
            c.Error(NxConflict);
            return false;
        }
        if ((conditions & (Conditions.Gt | Conditions.Lt)) == (Conditions.Gt | Conditions.Lt))
        {
            c.Error(GtLtConflict);
            return false;
        }
        return true;
    }

    /// <summary>TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 for a key without expire.</summary>
    private static void Ttl(CommandContext c, bool inMilliseconds, bool absolute)
    {
        var key = c.Args[1];
        if (KeyLookup.ReadWithoutTouch(c, key) is null)
        {
            c.Reply.WriteInteger(-2);
            return;
        }
        var expiresAt = c.Keyspace.GetExpire(key);
        if (expiresAt == -1)
        {
            c.Reply.WriteInteger(-1);
            return;
        }
        var ms = Math.Max(0, absolute ? expiresAt : expiresAt - c.Keyspace.NowMs);
        // Seconds round half up; computed wide so an expire near the largest time does not overflow.
        c.Reply.WriteInteger(inMilliseconds ? ms : (long)(((Int128)ms + 500) / 1000));
    }

    private static void Persist(CommandContext c)
    {
        var key = c.Args[1];
        var persisted = c.Keyspace.Find(key) is not null && c.Keyspace.Persist(key);
        c.Reply.WriteInteger(persisted ? 1 : 0);
    }
}
