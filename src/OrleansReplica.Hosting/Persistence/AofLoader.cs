using System.Buffers;
using System.Text;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Commands;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Aof;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Persistence;

/// <summary>
/// Loads the AOF at start: the base (an RDB, or commands), then every incremental file replayed through
/// the command table as a client whose replies nobody reads. Each file is checked first, so a bad file
/// is refused before any of it is applied; only the last file's incomplete tail may be dropped
/// (aof-load-truncated), and then the file is cut back to its last complete command, as Redis does.
/// </summary>
public sealed class AofLoader(Silo silo)
{
    public long KeysLoaded { get; private set; }

    public long CommandsReplayed { get; private set; }

    /// <summary>Loads every file the manifest lists; throws <see cref="AofLoadException"/> naming the file and byte offset of a problem.</summary>
    public async Task LoadAsync(AofDirectory directory)
    {
        var files = directory.Manifest.LoadOrder;
        var missing = directory.FindMissingFiles();
        if (missing.Count != 0)
        {
            throw new AofLoadException($"The AOF file {missing[0].FileName} doesn't exist", missing[0].FileName, 0);
        }
        var ends = new long[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            ends[i] = Check(directory.PathOf(files[i]), files[i].FileName, last: i == files.Count - 1);
        }

        var replayer = new Replayer(silo);
        for (var i = 0; i < files.Count; i++)
        {
            var path = directory.PathOf(files[i]);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var start = 0L;
            if (StartsWithRdb(file))
            {
                var loader = new SnapshotLoader(silo.ShardMap, silo.Config.Databases, skipExpiredBeforeMs: silo.KeyspaceOptions.Clock.NowMs());
                loader.Read(file, files[i].FileName);
                await loader.InstallAsync(silo.Grains);
                KeysLoaded += loader.Keys;
                start = file.Position;
            }
            file.Position = start;
            await replayer.ReplayAsync(file, ends[i], files[i].FileName);
        }
        CommandsReplayed = replayer.Commands;
    }

    /// <summary>Validates one file; returns how many bytes of it to load.</summary>
    private long Check(string path, string name, bool last)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var start = 0L;
        if (StartsWithRdb(file))
        {
            // The RDB part is verified when it is loaded, before anything of it is installed.
            new RdbReader(file, name).Read(new RdbHandler());
            start = file.Position;
        }
        file.Position = start;
        var scan = new AofCommandScanner().Scan(file, name, start);
        switch (scan.Status)
        {
            case AofScanStatus.Valid:
                return file.Length;
            case AofScanStatus.Truncated when last && silo.Config.AofLoadTruncated:
                silo.Log.Warning($"!!! Warning: short read while loading the AOF file {name}!!!");
                silo.Log.Warning($"!!! Truncating the AOF {name} at offset {scan.ValidLength} !!!");
                file.Dispose();
                using (var fix = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                    fix.SetLength(scan.ValidLength);
                    fix.Flush(flushToDisk: true);
                }
                silo.Log.Warning($"AOF {name} loaded anyway because aof-load-truncated is enabled");
                return scan.ValidLength;
            case AofScanStatus.Truncated:
                throw new AofLoadException(
                    $"Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
                    name, scan.ValidLength);
            default:
                throw new AofLoadException(
                    $"Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>{(scan.Error is null ? "" : " (" + scan.Error + ")")}",
                    name, scan.ValidLength);
        }
    }

    private static bool StartsWithRdb(FileStream file)
    {
        Span<byte> magic = stackalloc byte[5];
        var read = file.ReadAtLeast(magic, 5, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 5 && magic.SequenceEqual("REDIS"u8);
    }

    /// <summary>Runs a file's commands through the dispatcher of a client that nobody reads from.</summary>
    private sealed class Replayer
    {
        private readonly Silo _silo;
        private readonly CommandDispatcher _dispatcher;
        private readonly ArrayBufferWriter<byte> _replies = new(1024);
        private readonly RespRequestReader _reader = new() { Limits = new RespLimits(long.MaxValue, long.MaxValue) };
        private readonly CommandArguments _args = new();

        public Replayer(Silo silo)
        {
            _silo = silo;
            var session = new ClientSession(-1, null, null, static () => { }) { Authenticated = true };
            // No propagation: loading replays history, it does not make new writes.
            var context = new ClientContext(silo, session, new RespWriter(_replies), new KeyspaceAccess(silo.ShardMap));
            _dispatcher = new CommandDispatcher(context, new KeyspaceExecutor(silo.Grains, silo.ShardMap));
        }

        public long Commands { get; private set; }

        /// <summary>Replays the commands from the file's position up to <paramref name="end"/> (already validated).</summary>
        public async Task ReplayAsync(Stream file, long end, string name)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                var bufferStart = file.Position; // file offset of buffer[0]
                var remaining = end - bufferStart;
                int filled = 0, offset = 0;
                while (true)
                {
                    if (offset < filled && TryNext(buffer.AsMemory(offset, filled - offset), bufferStart + offset, name, out var consumed, out var isCommand))
                    {
                        if (isCommand && _args.Count > 0)
                        {
                            await _dispatcher.DispatchAsync(_args);
                            _replies.ResetWrittenCount();
                            Commands++;
                        }
                        offset += consumed;
                        continue;
                    }
                    if (remaining == 0)
                    {
                        break;
                    }
                    // Keep the unread tail at the start (a command longer than the buffer grows it), then read more.
                    var tail = filled - offset;
                    if (tail == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, tail).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    else if (offset > 0)
                    {
                        buffer.AsSpan(offset, tail).CopyTo(buffer);
                        bufferStart += offset;
                        offset = 0;
                        filled = tail;
                    }
                    _reader.Reset();
                    var read = await file.ReadAsync(buffer.AsMemory(filled, (int)Math.Min(buffer.Length - filled, remaining)));
                    if (read == 0)
                    {
                        break;
                    }
                    filled += read;
                    remaining -= read;
                }
                _dispatcher.EndBatch();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>Parses the next command (or skips an annotation line); false when more bytes are needed.</summary>
        private bool TryNext(ReadOnlyMemory<byte> bytes, long at, string name, out int consumed, out bool isCommand)
        {
            isCommand = bytes.Span[0] != (byte)'#';
            if (!isCommand)
            {
                // "#TS:<unix time>" annotations (aof-timestamp-enabled) are not commands.
                var newline = bytes.Span.IndexOf((byte)'\n');
                consumed = newline + 1;
                return newline >= 0;
            }
            var status = _reader.TryRead(bytes, _args, out consumed, out var error);
            if (status == RespParseStatus.Error)
            {
                throw new AofLoadException($"Bad file format reading the append only file {name}: {error}", name, at);
            }
            if (status == RespParseStatus.Complete && _args.Count > 0 && _silo.Commands.Find(_args[0]) is null)
            {
                throw new AofLoadException($"Unknown command '{Encoding.UTF8.GetString(_args[0])}' reading the append only file {name}", name, at);
            }
            return status == RespParseStatus.Complete;
        }
    }
}

/// <summary>An AOF that cannot be loaded: its message names the file and the byte offset.</summary>
public sealed class AofLoadException(string reason, string file, long offset)
    : Exception($"{reason} (file {file}, byte offset {offset})")
{
    public string File { get; } = file;

    public long Offset { get; } = offset;
}
