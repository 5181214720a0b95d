using System.Globalization;
using System.Text;
using OrleansReplica.Protocol.Aof;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.CheckTools;

/// <summary>
/// <c>silo check-aof</c>: Redis 7.0's redis-check-aof. Checks a multi-part AOF through its manifest
/// (base, RDB preamble or commands, then each incremental file), a single AOF with an RDB preamble,
/// or a plain AOF, prints what redis-check-aof prints and exits as it does. <c>--fix</c> truncates the
/// last file before its first incomplete or invalid command without asking for confirmation;
/// <c>--truncate-to-timestamp</c> cuts the last file at its first "#TS:" annotation later than the time given.
/// </summary>
public static class CheckAofTool
{
    public const string Usage = "Usage: silo check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>";

    private const string UsageNote =
        "--fix truncates the AOF before its first invalid or incomplete command without asking for confirmation.";

    /// <summary>Runs the check; returns the process exit code (0 valid or fixed, 1 otherwise).</summary>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var fix = false;
        long timestamp = 0;
        string path;
        switch (args.Length)
        {
            case 1:
                path = args[0];
                break;
            case 2 when args[0] == "--fix":
                fix = true;
                path = args[1];
                break;
            case 3 when args[0] == "--truncate-to-timestamp":
                if (!AofNumberSyntax.TryParseWhole(args[1], out timestamp))
                {
                    output.WriteLine("Invalid timestamp, aborting...");
                    return 1;
                }
                path = args[2];
                break;
            default:
                output.WriteLine(Usage);
                output.WriteLine(UsageNote);
                return 1;
        }
        try
        {
            new Check(output, fix, timestamp).Run(path);
            return 0;
        }
        catch (Abort)
        {
            return 1;
        }
        finally
        {
            output.Flush();
        }
    }

    /// <summary>redis-check-aof's exit(1): the check stops here.</summary>
    private sealed class Abort : Exception;

    private enum FileOutcome
    {
        Valid,
        Empty,
        Truncated,
        TruncatedToTimestamp,
    }

    private enum InputKind
    {
        Manifest,
        RdbPreamble,
        Commands,
    }

    /// <summary>One run: the options, and the line count that runs on across the files of a manifest.</summary>
    private sealed class Check(TextWriter output, bool fix, long timestamp)
    {
        private readonly AofCommandScanner _scanner = new(timestamp);

        public void Run(string path)
        {
            var kind = Classify(path);
            if (kind == InputKind.Manifest)
            {
                CheckManifest(path);
                return;
            }
            output.WriteLine("Start checking Old-Style AOF");
            Report(CheckFile(path, path, lastFile: true, preamble: kind == InputKind.RdbPreamble), path, "AOF");
        }

        private void CheckManifest(string manifestPath)
        {
            output.WriteLine("Start checking Multi Part AOF");
            AofManifest manifest;
            try
            {
                manifest = AofManifest.Parse(File.ReadAllBytes(manifestPath), manifestPath);
            }
            catch (AofManifestException error)
            {
                LogManifestError(error);
                throw new Abort();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                LogLine($"Fatal error: can't open the AOF manifest {manifestPath} for reading: {Strerror(error)}");
                throw new Abort();
            }
            var directory = DirName(manifestPath);
            var total = manifest.LoadOrder.Count;
            var checkedFiles = 0;
            if (manifest.Base is { } baseFile)
            {
                var filePath = MakePath(directory, baseFile.FileName);
                var last = ++checkedFiles == total;
                var preamble = IsRdb(filePath);
                output.WriteLine($"Start to check BASE AOF ({(preamble ? "RDB" : "RESP")} format).");
                Report(CheckFile(baseFile.FileName, filePath, last, preamble), baseFile.FileName, "BASE AOF");
            }
            if (manifest.Incrementals.Count > 0)
            {
                output.WriteLine("Start to check INCR files.");
                foreach (var entry in manifest.Incrementals)
                {
                    var filePath = MakePath(directory, entry.FileName);
                    var last = ++checkedFiles == total;
                    Report(CheckFile(entry.FileName, filePath, last, preamble: false), entry.FileName, "INCR AOF");
                }
            }
            output.WriteLine("All AOF files and manifest are valid");
        }

        /// <summary>Checks one file: its RDB preamble if any, then its commands; fixes or truncates it when asked.</summary>
        private FileOutcome CheckFile(string name, string path, bool lastFile, bool preamble)
        {
            var writable = fix || timestamp != 0;
            if (Directory.Exists(path))
            {
                output.WriteLine($"Cannot open file {path}: Is a directory, aborting...");
                throw new Abort();
            }
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {path}: {Strerror(error)}, aborting...");
                throw new Abort();
            }
            using (file)
            {
                var size = file.Length;
                if (size == 0)
                {
                    return FileOutcome.Empty;
                }
                long start = 0;
                if (preamble)
                {
                    start = CheckRdbPreamble(file, name);
                    file.Position = start;
                }
                var result = _scanner.Scan(file, path, start);
                switch (result.Status)
                {
                    case AofScanStatus.InvalidTimestamp:
                        output.WriteLine("Invalid timestamp annotation");
                        throw new Abort();
                    case AofScanStatus.TimestampReached:
                        return TruncateToTimestamp(file, path, lastFile, result.ValidLength);
                }
                if (result.Error is not null)
                {
                    output.WriteLine($"0x{result.ErrorOffset.ToString("x", CultureInfo.InvariantCulture),16}: {result.Error}");
                }
                else if (result.Status == AofScanStatus.FormatError)
                {
                    output.WriteLine($"AOF {name} format error");
                }
                var validLength = result.ValidLength;
                var diff = size - validLength;
                if (diff == 0 && timestamp != 0)
                {
                    output.WriteLine($"Truncate nothing in AOF {name} to timestamp {timestamp}");
                    return FileOutcome.Valid;
                }
                output.WriteLine($"AOF analyzed: filename={name}, size={size}, ok_up_to={validLength}, ok_up_to_line={result.Line}, diff={diff}");
                if (diff <= 0)
                {
                    return FileOutcome.Valid;
                }
                if (!fix)
                {
                    output.WriteLine($"AOF {name} is not valid. Use the --fix option to try fixing it.");
                    throw new Abort();
                }
                if (!lastFile)
                {
                    output.WriteLine($"Failed to truncate AOF {name} because it is not the last file");
                    throw new Abort();
                }
                output.WriteLine($"This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {validLength} bytes");
                if (!Truncate(file, validLength))
                {
                    output.WriteLine($"Failed to truncate AOF {name}");
                    throw new Abort();
                }
                return FileOutcome.Truncated;
            }
        }

        private FileOutcome TruncateToTimestamp(FileStream file, string path, bool lastFile, long offset)
        {
            if (offset == 0)
            {
                output.WriteLine($"AOF {path} has nothing before timestamp {timestamp}, aborting...");
                throw new Abort();
            }
            if (!lastFile)
            {
                output.WriteLine($"Failed to truncate AOF {path} to timestamp {timestamp} to offset {offset} because it is not the last file.");
                output.WriteLine("If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run redis-check-aof.");
                throw new Abort();
            }
            if (!Truncate(file, offset))
            {
                output.WriteLine($"Failed to truncate AOF {path} to timestamp {timestamp}");
                throw new Abort();
            }
            return FileOutcome.TruncatedToTimestamp;
        }

        private void Report(FileOutcome outcome, string name, string kind)
        {
            switch (outcome)
            {
                case FileOutcome.Valid:
                    output.WriteLine($"{kind} {name} is valid");
                    break;
                case FileOutcome.Empty:
                    output.WriteLine($"{kind} {name} is empty");
                    break;
                case FileOutcome.TruncatedToTimestamp:
                    output.WriteLine($"Successfully truncated AOF {name} to timestamp {timestamp}");
                    break;
                case FileOutcome.Truncated:
                    output.WriteLine($"Successfully truncated AOF {name}");
                    break;
            }
        }

        /// <summary>
        /// Validates the RDB at the start of <paramref name="file"/> the way redis-check-rdb reports it;
        /// returns where the RDB ends (where the command tail starts).
        /// </summary>
        private long CheckRdbPreamble(FileStream file, string name)
        {
            output.WriteLine($"[offset 0] Checking RDB file {name}");
            var reader = new RdbReader(file, name);
            var handler = new PreambleHandler(output, reader);
            try
            {
                var summary = reader.Read(handler);
                if (summary.ChecksumVerified)
                {
                    output.WriteLine($"[offset {reader.Position}] Checksum OK");
                }
                else
                {
                    output.WriteLine("RDB file was saved with checksum disabled: no check performed.");
                }
                output.WriteLine($"[offset {reader.Position}] \\o/ RDB looks OK! \\o/");
                handler.WriteCounts(summary.Keys + summary.EmptyKeysSkipped);
                output.WriteLine("RDB preamble is OK, proceeding with AOF tail...");
                return reader.Position;
            }
            catch (RdbFormatException error)
            {
                output.WriteLine("--- RDB ERROR DETECTED ---");
                output.WriteLine($"[offset {error.Offset}] {RedisWording(error.Reason)}");
                if (error.Phase is not null)
                {
                    output.WriteLine($"[additional info] While doing: {error.Phase}");
                }
                if (error.Key is not null)
                {
                    output.WriteLine($"[additional info] Reading key '{error.Key}'");
                }
                if (error.ObjectType >= 0)
                {
                    output.WriteLine($"[additional info] Reading type {error.ObjectType}");
                }
                handler.WriteCounts(handler.Keys);
                output.WriteLine("RDB preamble of AOF file is not sane, aborting.");
                throw new Abort();
            }
        }

        /// <summary>redis-check-rdb's words for the two problems a crash leaves in a preamble.</summary>
        private static string RedisWording(string reason) =>
            reason == "unexpected end of file" ? "Unexpected EOF reading RDB file"
            : reason.StartsWith("RDB CRC error", StringComparison.Ordinal) ? "RDB CRC error"
            : reason;

        /// <summary>How redis-server logs a manifest it refuses (redis-check-aof shares that code).</summary>
        private void LogManifestError(AofManifestException error)
        {
            LogLine("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            if (error.LineText is not null)
            {
                LogLine($"Reading the manifest file, at line {error.LineNumber}\n");
                LogLine($">>> '{error.LineText}'\n");
            }
            LogLine(error.Reason + "\n");
        }

        private void LogLine(string message)
        {
            var time = DateTime.Now.ToString("dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture);
            output.WriteLine($"{Environment.ProcessId}:C {time} # {message}");
        }

        /// <summary>
        /// Manifest, RDB preamble or plain commands, told apart by content as redis-check-aof does, and
        /// a non-empty file named "*.manifest" is always taken for a manifest (never truncated by --fix).
        /// </summary>
        private InputKind Classify(string path)
        {
            if (Directory.Exists(path))
            {
                output.WriteLine($"Cannot read file: {path}");
                throw new Abort();
            }
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (file.Length > 0 && (path.EndsWith(AofManifest.ManifestSuffix, StringComparison.Ordinal) || StartsLikeManifest(file)))
                {
                    return InputKind.Manifest;
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {path}: {Strerror(error)}");
                throw new Abort();
            }
            return IsRdb(path) ? InputKind.RdbPreamble : InputKind.Commands;
        }

        /// <summary>
        /// A manifest's first line that is not a comment starts with "file"; an AOF's starts with '*'
        /// (its "#TS:" annotations are comments). Only the lines up to that one are read, so a large
        /// AOF is not scanned, and an argument that happens to start a later line with "file" cannot
        /// make an AOF look like a manifest (redis-check-aof 7.0 looks at every line).
        /// </summary>
        private static bool StartsLikeManifest(FileStream file)
        {
            var input = new BufferedStream(file, 4096);
            Span<byte> start = stackalloc byte[4];
            while (true)
            {
                var length = 0;
                int next;
                while ((next = input.ReadByte()) >= 0 && next != '\n')
                {
                    if (length < start.Length)
                    {
                        start[length] = (byte)next;
                    }
                    length++;
                }
                if (length > 0 && start[0] == '#')
                {
                    if (next < 0)
                    {
                        return false;
                    }
                    continue;
                }
                return length >= 4 && start.SequenceEqual("file"u8);
            }
        }

        private bool IsRdb(string path)
        {
            if (Directory.Exists(path))
            {
                return false;
            }
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                Span<byte> magic = stackalloc byte[5];
                return file.ReadAtLeast(magic, 5, throwOnEndOfStream: false) == 5 && magic.SequenceEqual("REDIS"u8);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {path}: {Strerror(error)}");
                throw new Abort();
            }
        }

        private static bool Truncate(FileStream file, long length)
        {
            try
            {
                file.SetLength(length);
                file.Flush(flushToDisk: true);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }

        /// <summary>C's dirname: the directory part of a path, "." when there is none.</summary>
        private static string DirName(string path)
        {
            var trimmed = path.TrimEnd('/');
            if (trimmed.Length == 0)
            {
                return path.Length > 0 ? "/" : ".";
            }
            var slash = trimmed.LastIndexOf('/');
            if (slash < 0)
            {
                return ".";
            }
            var head = trimmed[..slash].TrimEnd('/');
            return head.Length == 0 ? "/" : head;
        }

        private static string MakePath(string directory, string fileName) =>
            directory.EndsWith('/') ? directory + fileName : directory + "/" + fileName;

        private static string Strerror(Exception error) => error switch
        {
            FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
            UnauthorizedAccessException => "Permission denied",
            _ => error.Message,
        };
    }

    /// <summary>Prints the RDB items redis-check-rdb prints (aux fields, database switches) and counts keys and expires.</summary>
    private sealed class PreambleHandler(TextWriter output, RdbReader reader) : RdbHandler
    {
        private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        private long _expires;
        private long _expired;

        public long Keys { get; private set; }

        public void WriteCounts(long keys)
        {
            output.WriteLine($"[info] {keys} keys read");
            output.WriteLine($"[info] {_expires} expires");
            output.WriteLine($"[info] {_expired} already expired");
        }

        public override void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
            output.WriteLine($"[offset {reader.Position}] AUX FIELD {CString(name)} = '{CString(value)}'");

        /// <summary>redis-check-rdb prints these with %s: a NUL byte ends them.</summary>
        private static string CString(ReadOnlySpan<byte> bytes)
        {
            var nul = bytes.IndexOf((byte)0);
            return Encoding.Latin1.GetString(nul >= 0 ? bytes[..nul] : bytes);
        }

        public override void OnSelectDb(int db) => output.WriteLine($"[offset {reader.Position}] Selecting DB ID {db}");

        protected override void OnKey(in RdbKeyMetadata metadata)
        {
            Keys++;
            if (metadata.ExpireAtMs != -1)
            {
                _expires++;
                if (metadata.ExpireAtMs < _now)
                {
                    _expired++;
                }
            }
        }
    }
}
