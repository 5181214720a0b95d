using System.Text;
using OrleansReplica.Protocol.Aof;

namespace OrleansReplica.Protocol.Tests.Aof;

public class AofManifestTests
{
    [Fact]
    public void ParsesTheManifestRedisWrites()
    {
        var manifest = AofManifest.Parse("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", "appendonly.aof.manifest");

        Assert.Equal(new AofManifestEntry("appendonly.aof.2.base.rdb", 2, AofFileType.Base), manifest.Base);
        Assert.Empty(manifest.History);
        Assert.Equal([new AofManifestEntry("appendonly.aof.2.incr.aof", 2, AofFileType.Incremental)], manifest.Incrementals);
        Assert.Equal(2, manifest.CurrentBaseSequence);
        Assert.Equal(2, manifest.CurrentIncrementalSequence);
        Assert.Equal(["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof"], manifest.LoadOrder.Select(entry => entry.FileName));
    }

    [Fact]
    public void KeysComeInAnyOrderAnyCaseWithExtraPairsCommentsAndHistory()
    {
        var text = "# written by hand\n"
            + "TYPE h SEQ 1 FILE appendonly.aof.1.base.rdb\n"
            + "seq 3 type b file appendonly.aof.3.base.aof future value\r\n"
            + "  file\tappendonly.aof.4.incr.aof seq 4 type incr  \n"
            + "#file ignored seq 9 type b\n"
            + "file appendonly.aof.7.incr.aof seq 7 type i";
        // The last line has no newline: Redis reads it as a line too long to be whole.
        var error = Assert.Throws<AofManifestException>(() => AofManifest.Parse(text, "m"));
        Assert.Equal("The AOF manifest file contains too long line", error.Reason);
        Assert.Equal(6, error.LineNumber);
        Assert.Null(error.LineText);

        var manifest = AofManifest.Parse(text + "\n", "m");
        Assert.Equal(new AofManifestEntry("appendonly.aof.3.base.aof", 3, AofFileType.Base), manifest.Base);
        Assert.Equal([new AofManifestEntry("appendonly.aof.1.base.rdb", 1, AofFileType.History)], manifest.History);
        Assert.Equal([4L, 7L], manifest.Incrementals.Select(entry => entry.Sequence));
        Assert.Equal(7, manifest.CurrentIncrementalSequence);
    }

    [Fact]
    public void FormatsBaseThenHistoryThenIncrementals()
    {
        var manifest = new AofManifest(
            new AofManifestEntry("a.3.base.rdb", 3, AofFileType.Base),
            [new AofManifestEntry("a.2.base.rdb", 2, AofFileType.History), new AofManifestEntry("a.1.incr.aof", 1, AofFileType.History)],
            [new AofManifestEntry("a.2.incr.aof", 2, AofFileType.Incremental)]);

        Assert.Equal(
            "file a.3.base.rdb seq 3 type b\nfile a.2.base.rdb seq 2 type h\nfile a.1.incr.aof seq 1 type h\nfile a.2.incr.aof seq 2 type i\n",
            manifest.Format());
        Assert.Equal(manifest.Format(), Encoding.ASCII.GetString(manifest.ToBytes()));
    }

    [Theory]
    [InlineData("with space.aof", "\"with space.aof\"")]
    [InlineData("quote\"d.aof", "\"quote\\\"d.aof\"")]
    [InlineData("tab\tnl\ncr\r.aof", "\"tab\\tnl\\ncr\\r.aof\"")]
    [InlineData("bell\a\b\v.aof", "\"bell\\a\\b\\x0b.aof\"")]
    [InlineData("café.aof", "\"caf\\xc3\\xa9.aof\"")]
    [InlineData("plain-name_1.aof", "plain-name_1.aof")]
    public void QuotesNamesAsRedisDoesAndReadsThemBack(string name, string written)
    {
        var manifest = new AofManifest(new AofManifestEntry(name, 1, AofFileType.Base), [], []);

        var text = manifest.Format();

        Assert.Equal($"file {written} seq 1 type b\n", text);
        Assert.Equal(name, AofManifest.Parse(text, "m").Base!.FileName);
    }

    [Fact]
    public void EscapesABackslashButRedisReadsItAsAPath()
    {
        var text = new AofManifest(new AofManifestEntry("back\\slash", 1, AofFileType.Base), [], []).Format();

        Assert.Equal("file \"back\\\\slash\" seq 1 type b\n", text);
        Assert.Equal("File can't be a path, just a filename", Assert.Throws<AofManifestException>(() => AofManifest.Parse(text, "m")).Reason);
    }

    [Theory]
    [InlineData("file 'single quoted' seq 1 type b\n", "single quoted")]
    [InlineData("file 'it\\'s' seq 1 type b\n", "it's")]
    [InlineData("file \"a\\x41\\zb\" seq 1 type b\n", "aAzb")]
    [InlineData("file ab\"c d\" seq 1 type b\n", "abc d")]
    public void ReadsRedisArgumentQuoting(string line, string name)
    {
        Assert.Equal(name, AofManifest.Parse(line, "m").Base!.FileName);
    }

    [Theory]
    [InlineData("\n", 1, "", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1 type b\n\n", 2, "", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1\n", 1, "file a seq 1", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1 type b extra\n", 1, "file a seq 1 type b extra", "Invalid AOF manifest file format")]
    [InlineData("file a seq 0 type b\n", 1, "file a seq 0 type b", "Invalid AOF manifest file format")]
    [InlineData("file a seq x type b\n", 1, "file a seq x type b", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1 type \"\"\n", 1, "file a seq 1 type \"\"", "Invalid AOF manifest file format")]
    [InlineData("name a seq 1 type b\n", 1, "name a seq 1 type b", "Invalid AOF manifest file format")]
    [InlineData("file \"a seq 1 type b\n", 1, "file \"a seq 1 type b", "Invalid AOF manifest file format")]
    [InlineData("file \"a\"b seq 1 type b\n", 1, "file \"a\"b seq 1 type b", "Invalid AOF manifest file format")]
    [InlineData(" # indented comment\n", 1, "# indented comment", "Invalid AOF manifest file format")]
    [InlineData("file ../a seq 1 type b\n", 1, "file ../a seq 1 type b", "File can't be a path, just a filename")]
    [InlineData("file a\\b seq 1 type b\n", 1, "file a\\b seq 1 type b", "File can't be a path, just a filename")]
    [InlineData("file a seq 1 type b\nfile b seq 2 type b\n", 2, "file b seq 2 type b", "Found duplicate base file information")]
    [InlineData("file a seq 2 type i\nfile b seq 2 type i\n", 2, "file b seq 2 type i", "Found a non-monotonic sequence number")]
    [InlineData("file a seq 3 type i\n#\nfile b seq 1 type i\n", 3, "file b seq 1 type i", "Found a non-monotonic sequence number")]
    [InlineData("file a seq -1 type i\n", 1, "file a seq -1 type i", "Found a non-monotonic sequence number")]
    [InlineData("file a seq 1 type x\n", 1, "file a seq 1 type x", "Unknown AOF file type")]
    public void RejectsWhatRedisRejects(string text, int line, string lineText, string reason)
    {
        var error = Assert.Throws<AofManifestException>(() => AofManifest.Parse(text, "/data/appendonlydir/appendonly.aof.manifest"));

        Assert.Equal(reason, error.Reason);
        Assert.Equal(line, error.LineNumber);
        Assert.Equal(lineText, error.LineText);
        Assert.Equal("/data/appendonlydir/appendonly.aof.manifest", error.Manifest);
        Assert.Contains("appendonly.aof.manifest", error.Message);
        Assert.Contains($"line {line}", error.Message);
    }

    [Fact]
    public void RejectsAnEmptyManifestAndOverlongLines()
    {
        var empty = Assert.Throws<AofManifestException>(() => AofManifest.Parse("", "m"));
        Assert.Equal("Found an empty AOF manifest", empty.Reason);
        Assert.Equal(0, empty.LineNumber);

        var longName = new string('y', 1100);
        var tooLong = Assert.Throws<AofManifestException>(() => AofManifest.Parse($"file {longName} seq 1 type b\n", "m"));
        Assert.Equal("The AOF manifest file contains too long line", tooLong.Reason);
        Assert.Equal(1, tooLong.LineNumber);

        // A 1023-byte line plus its newline is the longest accepted.
        var fits = "file " + new string('z', 1023 - "file  seq 1 type b".Length) + " seq 1 type b\n";
        Assert.Equal(1024, fits.Length);
        Assert.NotNull(AofManifest.Parse(fits, "m").Base);

        // A long comment is read in 1024-byte pieces: the rest counts as the next line, as in Redis.
        var longComment = Assert.Throws<AofManifestException>(() => AofManifest.Parse("#" + new string('x', 1500) + "\nfile a seq 1 type b\n", "m"));
        Assert.Equal(2, longComment.LineNumber);
        Assert.Equal("Invalid AOF manifest file format", longComment.Reason);
    }

    [Fact]
    public void NamesFilesAsRedisDoes()
    {
        Assert.Equal("appendonly.aof.manifest", AofManifest.ManifestFileName("appendonly.aof"));
        Assert.Equal("temp-appendonly.aof.manifest", AofManifest.TempManifestFileName("appendonly.aof"));
        Assert.Equal("appendonly.aof.3.base.rdb", AofManifest.BaseFileName("appendonly.aof", 3, rdbPreamble: true));
        Assert.Equal("my.aof.12.base.aof", AofManifest.BaseFileName("my.aof", 12, rdbPreamble: false));
        Assert.Equal("appendonly.aof.7.incr.aof", AofManifest.IncrementalFileName("appendonly.aof", 7));
    }

    [Fact]
    public void FollowsRedisThroughStartUpAndRewrites()
    {
        // First start: a base from the initial rewrite, then the first incremental file.
        var manifest = AofManifest.Empty.WithNewBase("appendonly.aof", rdbPreamble: true).WithNewIncremental("appendonly.aof");
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", manifest.Format());

        // BGREWRITEAOF opens the next incremental file at once; when the rewrite is done the old base
        // and the incremental files it covers become history.
        manifest = manifest.WithNewIncremental("appendonly.aof");
        Assert.Equal(["appendonly.aof.1.incr.aof", "appendonly.aof.2.incr.aof"], manifest.Incrementals.Select(entry => entry.FileName));
        manifest = manifest.WithRewrittenBase("appendonly.aof", rdbPreamble: true, keepCurrentIncremental: true);
        Assert.Equal(
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            + "file appendonly.aof.1.incr.aof seq 1 type h\n"
            + "file appendonly.aof.1.base.rdb seq 1 type h\n"
            + "file appendonly.aof.2.incr.aof seq 2 type i\n",
            manifest.Format());

        manifest = manifest.WithoutHistory();
        Assert.Equal("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", manifest.Format());

        // With AOF off no file is being appended to: every incremental file becomes history, and the
        // sequence numbers go on from where they were.
        var off = manifest.WithRewrittenBase("appendonly.aof", rdbPreamble: false, keepCurrentIncremental: false);
        Assert.Equal("appendonly.aof.3.base.aof", off.Base!.FileName);
        Assert.Empty(off.Incrementals);
        Assert.Equal("appendonly.aof.3.incr.aof", off.WithNewIncremental("appendonly.aof").Incrementals[^1].FileName);
    }

    [Fact]
    public void ParsedManifestContinuesItsSequences()
    {
        var manifest = AofManifest.Parse("file appendonly.aof seq 1 type b\nfile appendonly.aof.5.incr.aof seq 5 type i\n", "m");

        var next = manifest.WithNewIncremental("appendonly.aof").WithRewrittenBase("appendonly.aof", true, true);

        Assert.Equal("appendonly.aof.2.base.rdb", next.Base!.FileName);
        Assert.Equal(["appendonly.aof.6.incr.aof"], next.Incrementals.Select(entry => entry.FileName));
        Assert.Equal(["appendonly.aof.5.incr.aof", "appendonly.aof"], next.History.Select(entry => entry.FileName));
        Assert.All(next.History, entry => Assert.Equal(AofFileType.History, entry.Type));
    }

    [Fact]
    public void ConstructorChecksRolesAndOrder()
    {
        Assert.Throws<ArgumentException>(() => new AofManifest(new AofManifestEntry("a", 1, AofFileType.Incremental), [], []));
        Assert.Throws<ArgumentException>(() => new AofManifest(null, [new AofManifestEntry("a", 1, AofFileType.Base)], []));
        Assert.Throws<ArgumentException>(() => new AofManifest(null, [], [new AofManifestEntry("a", 2, AofFileType.Incremental), new AofManifestEntry("b", 2, AofFileType.Incremental)]));
    }
}
