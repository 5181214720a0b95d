using System.Globalization;
using System.Runtime.InteropServices;
using OrleansReplica.Protocol.Aof;

namespace OrleansReplica.Hosting.Persistence;

/// <summary>
/// The on-disk layout of Redis 7.0's multi-part AOF: <c>&lt;dir&gt;/&lt;appenddirname&gt;/</c> holding the
/// manifest <c>&lt;appendfilename&gt;.manifest</c>, one base file and the incremental files. Every
/// change reaches the disk as Redis makes it: files are synced, the manifest is written to
/// <c>temp-&lt;appendfilename&gt;.manifest</c>, synced, renamed over the old one and the directory
/// synced, so a crash at any point leaves a manifest whose base and incremental files all exist.
/// Appending commands is not done here.
/// </summary>
public sealed partial class AofDirectory
{
    public const string DefaultAppendDirName = "appendonlydir";
    public const string DefaultAppendFileName = "appendonly.aof";

    private readonly Lock _gate = new();

    public AofDirectory(string dir, string appendDirName = DefaultAppendDirName, string appendFileName = DefaultAppendFileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        // The same checks as Redis's config: both are names inside dir, never paths.
        if (string.IsNullOrEmpty(appendDirName) || appendDirName.Contains('/') || appendDirName.Contains('\\'))
        {
            throw new ArgumentException("appenddirname can't be a path, just a dirname", nameof(appendDirName));
        }
        if (string.IsNullOrEmpty(appendFileName) || appendFileName.Contains('/') || appendFileName.Contains('\\'))
        {
            throw new ArgumentException("appendfilename can't be a path, just a filename", nameof(appendFileName));
        }
        Dir = dir;
        AppendDirName = appendDirName;
        AppendFileName = appendFileName;
        DirectoryPath = Path.Combine(dir, appendDirName);
        ManifestPath = Path.Combine(DirectoryPath, AofManifest.ManifestFileName(appendFileName));
        TempManifestPath = Path.Combine(DirectoryPath, AofManifest.TempManifestFileName(appendFileName));
    }

    /// <summary>The server's working directory (config "dir").</summary>
    public string Dir { get; }

    public string AppendDirName { get; }

    public string AppendFileName { get; }

    /// <summary><c>&lt;dir&gt;/&lt;appenddirname&gt;</c>.</summary>
    public string DirectoryPath { get; }

    public string ManifestPath { get; }

    public string TempManifestPath { get; }

    /// <summary>Where Redis before 7.0 kept its single AOF: <c>&lt;dir&gt;/&lt;appendfilename&gt;</c>.</summary>
    public string LegacyAofPath => Path.Combine(Dir, AppendFileName);

    /// <summary>The manifest last loaded or written (<see cref="AofManifest.Empty"/> when there is none).</summary>
    public AofManifest Manifest { get; private set; } = AofManifest.Empty;

    /// <summary>A manifest was found by <see cref="Load"/> or has been written since.</summary>
    public bool HasManifest { get; private set; }

    /// <summary>
    /// Reads the manifest. Returns false when there is none (no AOF directory, or no manifest in it).
    /// Also completes an upgrade of a pre-7.0 AOF that a crash interrupted between writing the
    /// manifest and moving the file in.
    /// </summary>
    /// <exception cref="AofManifestException">The manifest is one Redis would refuse.</exception>
    public bool Load()
    {
        lock (_gate)
        {
            if (!Directory.Exists(DirectoryPath) || !File.Exists(ManifestPath))
            {
                Manifest = AofManifest.Empty;
                HasManifest = false;
                return false;
            }
            Manifest = AofManifest.Load(ManifestPath);
            HasManifest = true;
            if (Manifest.Base is { } baseFile && baseFile.FileName == AppendFileName
                && !File.Exists(PathOf(baseFile)) && File.Exists(LegacyAofPath))
            {
                MoveDurably(LegacyAofPath, PathOf(baseFile));
            }
            return true;
        }
    }

    /// <summary>The full path of a file of this directory.</summary>
    public string PathOf(AofManifestEntry entry) => PathOf(entry.FileName);

    /// <summary>The full path of a file name listed in the manifest.</summary>
    public string PathOf(string fileName) => Path.Combine(DirectoryPath, fileName);

    /// <summary>Full paths of the files to load, in order: the base, then the incremental files.</summary>
    public IReadOnlyList<string> LoadOrderPaths() => [.. Manifest.LoadOrder.Select(PathOf)];

    /// <summary>Files the manifest lists for loading that are not on disk (an empty list when all are there).</summary>
    public IReadOnlyList<AofManifestEntry> FindMissingFiles() => [.. Manifest.LoadOrder.Where(entry => !File.Exists(PathOf(entry)))];

    /// <summary>A name in dir for a rewrite to write its new base into before <see cref="InstallBase"/> (as Redis's temp-rewriteaof-bg-&lt;pid&gt;.aof).</summary>
    public string RewriteTempPath(int id) => Path.Combine(Dir, string.Create(CultureInfo.InvariantCulture, $"temp-rewriteaof-bg-{id}.aof"));

    /// <summary>
    /// Starts a new incremental file (at start-up and when a rewrite begins): creates it empty and
    /// synced, then makes it the last incremental file of the manifest. Returns its entry; the
    /// appender opens <see cref="PathOf(AofManifestEntry)"/>.
    /// </summary>
    public AofManifestEntry CreateIncremental()
    {
        lock (_gate)
        {
            EnsureDirectory();
            var next = Manifest.WithNewIncremental(AppendFileName);
            var entry = next.Incrementals[^1];
            using (var file = new FileStream(PathOf(entry), FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
            {
                file.Flush(flushToDisk: true);
            }
            SyncDirectory(DirectoryPath);
            WriteManifest(next);
            return entry;
        }
    }

    /// <summary>
    /// Installs the result of a rewrite: syncs <paramref name="rewrittenFile"/>, renames it into the
    /// directory as the next base (<c>.base.rdb</c> with an RDB preamble, <c>.base.aof</c> without),
    /// records the old base and every incremental file but the current one as history, and once
    /// that manifest is durable deletes the history files. <paramref name="keepCurrentIncremental"/>
    /// is false when AOF is off (no file is being appended to). Returns the new base's entry.
    /// </summary>
    public AofManifestEntry InstallBase(string rewrittenFile, bool rdbPreamble, bool keepCurrentIncremental = true)
    {
        lock (_gate)
        {
            EnsureDirectory();
            using (var file = new FileStream(rewrittenFile, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
                file.Flush(flushToDisk: true);
            }
            var next = Manifest.WithRewrittenBase(AppendFileName, rdbPreamble, keepCurrentIncremental);
            var baseFile = next.Base!;
            MoveDurably(rewrittenFile, PathOf(baseFile));
            WriteManifest(next);
            DeleteHistoryLocked();
            return baseFile;
        }
    }

    /// <summary>Deletes the files recorded as history, then records that they are gone.</summary>
    public void DeleteHistory()
    {
        lock (_gate)
        {
            DeleteHistoryLocked();
        }
    }

    /// <summary>
    /// Moves a pre-7.0 single AOF (<see cref="LegacyAofPath"/>) into the directory as the base, keeping
    /// its name, as Redis 7.0 does on its first start. The manifest is written first: if a crash
    /// comes before the move, <see cref="Load"/> completes it. False when there is nothing to upgrade.
    /// </summary>
    public bool UpgradeLegacyAof()
    {
        lock (_gate)
        {
            if (HasManifest || File.Exists(ManifestPath) || !File.Exists(LegacyAofPath))
            {
                return false;
            }
            EnsureDirectory();
            var baseFile = new AofManifestEntry(AppendFileName, 1, AofFileType.Base);
            WriteManifest(new AofManifest(baseFile, [], []));
            MoveDurably(LegacyAofPath, PathOf(baseFile));
            return true;
        }
    }

    private void DeleteHistoryLocked()
    {
        if (Manifest.History.Count == 0)
        {
            return;
        }
        foreach (var entry in Manifest.History)
        {
            // A file already gone (deleted before a crash, the manifest not yet rewritten) is fine.
            File.Delete(PathOf(entry));
        }
        WriteManifest(Manifest.WithoutHistory());
    }

    private void EnsureDirectory()
    {
        if (!Directory.Exists(DirectoryPath))
        {
            Directory.CreateDirectory(DirectoryPath);
            SyncDirectory(Dir);
        }
    }

    /// <summary>Temp manifest, fsync, rename over the manifest, fsync the directory: the manifest is always whole.</summary>
    private void WriteManifest(AofManifest manifest)
    {
        var bytes = manifest.ToBytes();
        using (var file = new FileStream(TempManifestPath, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(TempManifestPath, ManifestPath, overwrite: true);
        SyncDirectory(DirectoryPath);
        Manifest = manifest;
        HasManifest = true;
    }

    private static void MoveDurably(string from, string to)
    {
        File.Move(from, to, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(to))!);
        var source = Path.GetDirectoryName(Path.GetFullPath(from))!;
        if (source != Path.GetDirectoryName(Path.GetFullPath(to)))
        {
            SyncDirectory(source);
        }
    }

    /// <summary>fsync of a directory, so a rename or a new file in it survives a power loss (.NET has no API for it).</summary>
    private static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = Posix.Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (Posix.Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system cannot sync directories; nothing more can be done.
                if (errno != 22)
                {
                    throw new IOException($"Cannot sync directory {path} (errno {errno}).");
                }
            }
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }

    private static partial class Posix
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
