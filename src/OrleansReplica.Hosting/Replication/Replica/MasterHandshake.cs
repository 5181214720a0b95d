using System.Buffers;
using System.Globalization;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>How the master answered PSYNC.</summary>
internal enum PsyncOutcome
{
    /// <summary>+FULLRESYNC &lt;replid&gt; &lt;offset&gt;: a snapshot follows.</summary>
    FullResync,

    /// <summary>+CONTINUE [&lt;replid&gt;]: the stream continues from the offset asked for.</summary>
    Continue,

    /// <summary>-ERR: a master older than PSYNC; SYNC it is.</summary>
    NotSupported,
}

/// <summary>The master's answer to PSYNC; <see cref="ReplId"/> is null after a +CONTINUE without an id.</summary>
internal readonly record struct PsyncReply(PsyncOutcome Outcome, string? ReplId, long Offset);

/// <summary>What the replica tells its master during the handshake.</summary>
internal sealed record HandshakeSettings(string? MasterUser, string? MasterAuth, int ListeningPort, string? AnnounceIp, string PsyncReplId, long PsyncOffset);

/// <summary>A handshake step failed in a way worth retrying later (the link reconnects).</summary>
internal sealed class ReplicationLinkException(string message) : Exception(message);

/// <summary>
/// The replica's side of the handshake as Redis 7.0 runs it: PING; then AUTH (when masterauth is
/// set), REPLCONF listening-port, REPLCONF ip-address (when announced) and REPLCONF capa eof capa
/// psync2 written together and their replies read in order; then PSYNC with the cached history.
/// </summary>
internal static class MasterHandshake
{
    public static async Task<PsyncReply> RunAsync(MasterConnection connection, HandshakeSettings settings, RedisLog log, CancellationToken cancellationToken)
    {
        await connection.SendAsync(Command("PING"), cancellationToken);
        var pong = await connection.ReadLineAsync(cancellationToken);
        // A master that needs a password refuses PING: AUTH comes next anyway.
        if (pong.StartsWith('-') && !pong.StartsWith("-NOAUTH", StringComparison.Ordinal) && !pong.StartsWith("-NOPERM", StringComparison.Ordinal) && !pong.StartsWith("-ERR operation not permitted", StringComparison.Ordinal))
        {
            throw new ReplicationLinkException($"Error reply to PING from master: '{pong}'");
        }
        log.Notice("Master replied to PING, replication can continue...");

        var requests = new ArrayBufferWriter<byte>(256);
        var auth = !string.IsNullOrEmpty(settings.MasterAuth);
        if (auth)
        {
            if (string.IsNullOrEmpty(settings.MasterUser))
            {
                RespCommandWriter.WriteCommand(requests, "AUTH", settings.MasterAuth!);
            }
            else
            {
                RespCommandWriter.WriteCommand(requests, "AUTH", settings.MasterUser, settings.MasterAuth!);
            }
        }
        RespCommandWriter.WriteCommand(requests, "REPLCONF", "listening-port", settings.ListeningPort.ToString(CultureInfo.InvariantCulture));
        var announceIp = !string.IsNullOrEmpty(settings.AnnounceIp);
        if (announceIp)
        {
            RespCommandWriter.WriteCommand(requests, "REPLCONF", "ip-address", settings.AnnounceIp!);
        }
        RespCommandWriter.WriteCommand(requests, "REPLCONF", "capa", "eof", "capa", "psync2");
        await connection.SendAsync(requests.WrittenMemory.ToArray(), cancellationToken);

        if (auth)
        {
            var reply = await connection.ReadLineAsync(cancellationToken);
            if (reply.StartsWith('-'))
            {
                throw new ReplicationLinkException($"Unable to AUTH to MASTER: {reply}");
            }
        }
        await ExpectOkAsync(connection, "listening-port", log, cancellationToken);
        if (announceIp)
        {
            await ExpectOkAsync(connection, "ip-address", log, cancellationToken);
        }
        await ExpectOkAsync(connection, "capa", log, cancellationToken);

        if (settings.PsyncReplId == "?")
        {
            log.Notice("Partial resynchronization not possible (no cached master)");
        }
        else
        {
            log.Notice($"Trying a partial resynchronization (request {settings.PsyncReplId}:{settings.PsyncOffset}).");
        }
        await connection.SendAsync(Command("PSYNC", settings.PsyncReplId, settings.PsyncOffset.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        return await ReadPsyncReplyAsync(connection, log, cancellationToken);
    }

    /// <summary>One command as a RESP multibulk request.</summary>
    public static byte[] Command(params ReadOnlySpan<string> arguments)
    {
        var output = new ArrayBufferWriter<byte>(64);
        RespCommandWriter.WriteCommand(output, arguments);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Skips the newlines a master sends while it prepares the snapshot (they only keep the link alive).</summary>
    public static async ValueTask<string> ReadNonEmptyLineAsync(MasterConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await connection.ReadLineAsync(cancellationToken);
            if (line.Length != 0)
            {
                return line;
            }
        }
    }

    private static async Task ExpectOkAsync(MasterConnection connection, string option, RedisLog log, CancellationToken cancellationToken)
    {
        var reply = await connection.ReadLineAsync(cancellationToken);
        if (reply.StartsWith('-'))
        {
            log.Notice($"(Non critical) Master does not understand REPLCONF {option}: {reply}");
        }
    }

    private static async Task<PsyncReply> ReadPsyncReplyAsync(MasterConnection connection, RedisLog log, CancellationToken cancellationToken)
    {
        var reply = await ReadNonEmptyLineAsync(connection, cancellationToken);
        if (reply.StartsWith("+FULLRESYNC", StringComparison.Ordinal))
        {
            var parts = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || parts[1].Length != 40 || !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset))
            {
                throw new ReplicationLinkException($"Master replied with wrong +FULLRESYNC syntax: '{reply}'");
            }
            log.Notice($"Full resync from master: {parts[1]}:{offset}");
            return new PsyncReply(PsyncOutcome.FullResync, parts[1], offset);
        }
        if (reply.StartsWith("+CONTINUE", StringComparison.Ordinal))
        {
            var id = reply.Length > "+CONTINUE".Length ? reply["+CONTINUE".Length..].Trim() : "";
            log.Notice("Successful partial resynchronization with master.");
            return new PsyncReply(PsyncOutcome.Continue, id.Length == 40 ? id : null, -1);
        }
        if (reply.StartsWith("-NOMASTERLINK", StringComparison.Ordinal) || reply.StartsWith("-LOADING", StringComparison.Ordinal))
        {
            throw new ReplicationLinkException($"Master is currently unable to PSYNC but should be in the future: {reply}");
        }
        if (reply.StartsWith("-ERR", StringComparison.Ordinal))
        {
            log.Warning($"Master does not support PSYNC or is in error state (reply: {reply})");
            return new PsyncReply(PsyncOutcome.NotSupported, null, -1);
        }
        throw new ReplicationLinkException($"Unexpected reply to PSYNC from master: {reply}");
    }
}
