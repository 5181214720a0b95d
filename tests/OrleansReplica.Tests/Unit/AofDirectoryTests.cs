using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Protocol.Aof;

namespace OrleansReplica.Tests.Unit;

public sealed class AofDirectoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aofdir-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string AofDir => Path.Combine(_dir, "appendonlydir");

    private string ManifestText => File.ReadAllText(Path.Combine(AofDir, "appendonly.aof.manifest"));

    private string[] FilesOnDisk => [.. Directory.GetFiles(AofDir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void FindsNoManifestInAnEmptyDir()
    {
        var aof = new AofDirectory(_dir);

        Assert.False(aof.Load());
        Assert.False(aof.HasManifest);
        Assert.Same(AofManifest.Empty, aof.Manifest);
        Assert.Empty(aof.LoadOrderPaths());

        Directory.CreateDirectory(AofDir);
        Assert.False(aof.Load());
    }

    [Fact]
    public void NamesItsPathsFromDirDirnameAndFilename()
    {
        var aof = new AofDirectory(_dir, "mydir", "my.aof");

        Assert.Equal(Path.Combine(_dir, "mydir"), aof.DirectoryPath);
        Assert.Equal(Path.Combine(_dir, "mydir", "my.aof.manifest"), aof.ManifestPath);
        Assert.Equal(Path.Combine(_dir, "mydir", "temp-my.aof.manifest"), aof.TempManifestPath);
        Assert.Equal(Path.Combine(_dir, "my.aof"), aof.LegacyAofPath);
        Assert.Equal(Path.Combine(_dir, "temp-rewriteaof-bg-42.aof"), aof.RewriteTempPath(42));
        Assert.Throws<ArgumentException>(() => new AofDirectory(_dir, "a/b"));
        Assert.Throws<ArgumentException>(() => new AofDirectory(_dir, appendFileName: "../x.aof"));
    }

    [Fact]
    public void StartsLikeRedisOnAnEmptyDirThenRewrites()
    {
        var aof = new AofDirectory(_dir);

        // Start-up: the initial rewrite installs base 1, then the first incremental file is opened.
        var first = aof.CreateIncremental();
        Assert.Equal(new AofManifestEntry("appendonly.aof.1.incr.aof", 1, AofFileType.Incremental), first);
        Assert.Equal(0, new FileInfo(aof.PathOf(first)).Length);
        Assert.Equal("file appendonly.aof.1.incr.aof seq 1 type i\n", ManifestText);

        File.WriteAllText(aof.RewriteTempPath(1), "REDIS0010...");
        var base1 = aof.InstallBase(aof.RewriteTempPath(1), rdbPreamble: true);
        Assert.Equal(new AofManifestEntry("appendonly.aof.1.base.rdb", 1, AofFileType.Base), base1);
        Assert.False(File.Exists(aof.RewriteTempPath(1)));
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", ManifestText);

        // BGREWRITEAOF: a new incremental file at once, the new base when the child is done.
        File.WriteAllText(aof.PathOf(first), "*1\r\n$4\r\nPING\r\n");
        var second = aof.CreateIncremental();
        Assert.Equal("appendonly.aof.2.incr.aof", second.FileName);
        Assert.Equal(
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
            ManifestText);
        File.WriteAllText(aof.RewriteTempPath(2), "*1\r\n$4\r\nPING\r\n");
        var base2 = aof.InstallBase(aof.RewriteTempPath(2), rdbPreamble: false);

        Assert.Equal("appendonly.aof.2.base.aof", base2.FileName);
        Assert.Equal("file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", ManifestText);
        Assert.Equal(["appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"], FilesOnDisk);
        Assert.Equal([aof.PathOf("appendonly.aof.2.base.aof"), aof.PathOf("appendonly.aof.2.incr.aof")], aof.LoadOrderPaths());
        Assert.Empty(aof.Manifest.History);

        // A fresh instance reads back the same state.
        var reloaded = new AofDirectory(_dir);
        Assert.True(reloaded.Load());
        Assert.Equal(aof.Manifest.Format(), reloaded.Manifest.Format());
        Assert.Equal(2, reloaded.Manifest.CurrentBaseSequence);
        Assert.Equal("appendonly.aof.3.incr.aof", reloaded.CreateIncremental().FileName);
        Assert.Empty(reloaded.FindMissingFiles());
    }

    [Fact]
    public void RewriteWithAofOffMakesEveryIncrementalFileHistory()
    {
        var aof = new AofDirectory(_dir);
        aof.CreateIncremental();
        aof.CreateIncremental();
        var temp = Path.Combine(_dir, "rewrite.tmp");
        File.WriteAllText(temp, "x");

        aof.InstallBase(temp, rdbPreamble: true, keepCurrentIncremental: false);

        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\n", ManifestText);
        Assert.Equal(["appendonly.aof.1.base.rdb", "appendonly.aof.manifest"], FilesOnDisk);
        Assert.Equal("appendonly.aof.3.incr.aof", aof.CreateIncremental().FileName);
    }

    [Fact]
    public void HistoryLeftByACrashIsDeletedOnRequest()
    {
        Directory.CreateDirectory(AofDir);
        File.WriteAllText(Path.Combine(AofDir, "appendonly.aof.manifest"),
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        foreach (var name in new[] { "appendonly.aof.2.base.rdb", "appendonly.aof.1.base.rdb", "appendonly.aof.2.incr.aof" })
        {
            File.WriteAllText(Path.Combine(AofDir, name), "");
        }
        // A temp manifest from an interrupted write is simply overwritten later.
        File.WriteAllText(Path.Combine(AofDir, "temp-appendonly.aof.manifest"), "file half");
        var aof = new AofDirectory(_dir);

        Assert.True(aof.Load());
        Assert.Equal(2, aof.Manifest.History.Count);
        aof.DeleteHistory();

        Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", ManifestText);
        Assert.Equal(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"], FilesOnDisk);
    }

    [Fact]
    public void ReportsMissingFilesAndRejectsABadManifestNamingIt()
    {
        Directory.CreateDirectory(AofDir);
        var manifestPath = Path.Combine(AofDir, "appendonly.aof.manifest");
        File.WriteAllText(manifestPath, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        File.WriteAllText(Path.Combine(AofDir, "appendonly.aof.1.incr.aof"), "");
        var aof = new AofDirectory(_dir);

        Assert.True(aof.Load());
        Assert.Equal(["appendonly.aof.1.base.rdb"], aof.FindMissingFiles().Select(entry => entry.FileName));

        File.WriteAllText(manifestPath, "file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        var error = Assert.Throws<AofManifestException>(() => aof.Load());
        Assert.Equal("Found a non-monotonic sequence number", error.Reason);
        Assert.Equal(manifestPath, error.Manifest);
        Assert.Equal(2, error.LineNumber);
    }

    [Fact]
    public void UpgradesAPre70AofKeepingItsName()
    {
        File.WriteAllText(Path.Combine(_dir, "appendonly.aof"), "*1\r\n$4\r\nPING\r\n");
        var aof = new AofDirectory(_dir);
        Assert.False(aof.Load());

        Assert.True(aof.UpgradeLegacyAof());

        Assert.False(File.Exists(Path.Combine(_dir, "appendonly.aof")));
        Assert.Equal("*1\r\n$4\r\nPING\r\n", File.ReadAllText(Path.Combine(AofDir, "appendonly.aof")));
        Assert.Equal("file appendonly.aof seq 1 type b\n", ManifestText);
        Assert.False(aof.UpgradeLegacyAof());
        Assert.Equal("appendonly.aof.1.incr.aof", aof.CreateIncremental().FileName);
    }

    [Fact]
    public void LoadCompletesAnUpgradeInterruptedBeforeTheMove()
    {
        File.WriteAllText(Path.Combine(_dir, "appendonly.aof"), "*1\r\n$4\r\nPING\r\n");
        Directory.CreateDirectory(AofDir);
        File.WriteAllText(Path.Combine(AofDir, "appendonly.aof.manifest"), "file appendonly.aof seq 1 type b\n");
        var aof = new AofDirectory(_dir);

        Assert.True(aof.Load());

        Assert.True(File.Exists(Path.Combine(AofDir, "appendonly.aof")));
        Assert.False(File.Exists(Path.Combine(_dir, "appendonly.aof")));
        Assert.Empty(aof.FindMissingFiles());
    }
}
