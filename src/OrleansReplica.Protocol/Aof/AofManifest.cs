using System.Globalization;
using System.Text;

namespace OrleansReplica.Protocol.Aof;

/// <summary>
/// The manifest of a Redis 7.0 multi-part AOF directory: which file is the base, which incremental
/// files follow it (in load order) and which are history awaiting deletion. Immutable: every change
/// returns a new manifest, so the one in use is replaced only once its successor is on disk.
/// </summary>
public sealed class AofManifest
{
    /// <summary>Longest manifest line Redis reads, newline included.</summary>
    public const int MaxLineLength = 1024;

    public const string ManifestSuffix = ".manifest";
    public const string TempPrefix = "temp-";

    private const string ErrorEmpty = "Found an empty AOF manifest";
    private const string ErrorTooLong = "The AOF manifest file contains too long line";
    private const string ErrorFormat = "Invalid AOF manifest file format";
    private const string ErrorPath = "File can't be a path, just a filename";
    private const string ErrorDuplicateBase = "Found duplicate base file information";
    private const string ErrorSequence = "Found a non-monotonic sequence number";
    private const string ErrorType = "Unknown AOF file type";

    /// <summary>A manifest that lists no file (a directory about to get its first base).</summary>
    public static readonly AofManifest Empty = new(null, [], [], 0, 0);

    private AofManifest(AofManifestEntry? baseFile, AofManifestEntry[] history, AofManifestEntry[] incrementals, long baseSequence, long incrementalSequence)
    {
        Base = baseFile;
        History = history;
        Incrementals = incrementals;
        CurrentBaseSequence = baseSequence;
        CurrentIncrementalSequence = incrementalSequence;
    }

    /// <summary>Builds a manifest from its parts; the next sequence numbers follow the base's and the last incremental file's.</summary>
    public AofManifest(AofManifestEntry? baseFile, IEnumerable<AofManifestEntry> history, IEnumerable<AofManifestEntry> incrementals)
        : this(baseFile, [.. history], [.. incrementals], baseFile?.Sequence ?? 0, 0)
    {
        if (baseFile is not null && baseFile.Type != AofFileType.Base)
        {
            throw new ArgumentException("The base entry must have type Base.", nameof(baseFile));
        }
        if (History.Any(entry => entry.Type != AofFileType.History))
        {
            throw new ArgumentException("History entries must have type History.", nameof(history));
        }
        long previous = 0;
        foreach (var entry in Incrementals)
        {
            if (entry.Type != AofFileType.Incremental)
            {
                throw new ArgumentException("Incremental entries must have type Incremental.", nameof(incrementals));
            }
            if (entry.Sequence <= previous)
            {
                throw new ArgumentException(ErrorSequence, nameof(incrementals));
            }
            previous = entry.Sequence;
        }
        CurrentIncrementalSequence = previous;
    }

    /// <summary>The base file, loaded first; null before the first rewrite.</summary>
    public AofManifestEntry? Base { get; }

    /// <summary>Files replaced by a rewrite, newest first as Redis lists them; never loaded.</summary>
    public IReadOnlyList<AofManifestEntry> History { get; }

    /// <summary>The incremental files in load order; the last one is the file being appended to.</summary>
    public IReadOnlyList<AofManifestEntry> Incrementals { get; }

    /// <summary>Sequence of the newest base ever named; the next base gets this plus one.</summary>
    public long CurrentBaseSequence { get; }

    /// <summary>Sequence of the newest incremental file ever named; the next one gets this plus one.</summary>
    public long CurrentIncrementalSequence { get; }

    /// <summary>The files to load, in order: the base (if any), then every incremental file.</summary>
    public IReadOnlyList<AofManifestEntry> LoadOrder => Base is null ? Incrementals : [Base, .. Incrementals];

    /// <summary>Every file the manifest names: base, history, incrementals.</summary>
    public IEnumerable<AofManifestEntry> Entries => (Base is null ? [] : new[] { Base }).Concat(History).Concat(Incrementals);

    /// <summary>"appendonly.aof" → "appendonly.aof.manifest".</summary>
    public static string ManifestFileName(string appendFileName) => appendFileName + ManifestSuffix;

    /// <summary>"appendonly.aof" → "temp-appendonly.aof.manifest": written, synced, then renamed over the manifest.</summary>
    public static string TempManifestFileName(string appendFileName) => TempPrefix + ManifestFileName(appendFileName);

    /// <summary>"appendonly.aof.&lt;seq&gt;.base.rdb" with an RDB preamble, "appendonly.aof.&lt;seq&gt;.base.aof" without.</summary>
    public static string BaseFileName(string appendFileName, long sequence, bool rdbPreamble) =>
        string.Create(CultureInfo.InvariantCulture, $"{appendFileName}.{sequence}.base{(rdbPreamble ? ".rdb" : ".aof")}");

    /// <summary>"appendonly.aof.&lt;seq&gt;.incr.aof".</summary>
    public static string IncrementalFileName(string appendFileName, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{appendFileName}.{sequence}.incr.aof");

    /// <summary>A new base named with the next base sequence; the current base (if any) becomes the newest history entry.</summary>
    public AofManifest WithNewBase(string appendFileName, bool rdbPreamble)
    {
        var sequence = CurrentBaseSequence + 1;
        var history = Base is null ? History.ToArray() : [Base.As(AofFileType.History), .. History];
        var baseFile = new AofManifestEntry(BaseFileName(appendFileName, sequence, rdbPreamble), sequence, AofFileType.Base);
        return new AofManifest(baseFile, history, [.. Incrementals], sequence, CurrentIncrementalSequence);
    }

    /// <summary>A new incremental file named with the next incremental sequence, appended last.</summary>
    public AofManifest WithNewIncremental(string appendFileName)
    {
        var sequence = CurrentIncrementalSequence + 1;
        var entry = new AofManifestEntry(IncrementalFileName(appendFileName, sequence), sequence, AofFileType.Incremental);
        return new AofManifest(Base, [.. History], [.. Incrementals, entry], CurrentBaseSequence, sequence);
    }

    /// <summary>
    /// After a rewrite the new base holds everything the earlier incremental files held: they become
    /// history. The last one stays when <paramref name="keepCurrent"/> (AOF on: it is being appended to).
    /// </summary>
    public AofManifest WithIncrementalsAsHistory(bool keepCurrent)
    {
        var keep = keepCurrent && Incrementals.Count > 0 ? 1 : 0;
        var rewritten = Incrementals.Take(Incrementals.Count - keep).Select(entry => entry.As(AofFileType.History));
        var remaining = Incrementals.Skip(Incrementals.Count - keep);
        return new AofManifest(Base, [.. rewritten, .. History], [.. remaining], CurrentBaseSequence, CurrentIncrementalSequence);
    }

    /// <summary>
    /// The manifest after a rewrite completes: a new base, and the old base plus every incremental file
    /// but the current one as history.
    /// </summary>
    public AofManifest WithRewrittenBase(string appendFileName, bool rdbPreamble, bool keepCurrentIncremental) =>
        WithNewBase(appendFileName, rdbPreamble).WithIncrementalsAsHistory(keepCurrentIncremental);

    /// <summary>The manifest once the history files are deleted.</summary>
    public AofManifest WithoutHistory() =>
        new(Base, [], [.. Incrementals], CurrentBaseSequence, CurrentIncrementalSequence);

    /// <summary>The manifest text: base, history, incrementals, one "file &lt;name&gt; seq &lt;n&gt; type &lt;b|h|i&gt;" line each.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (var entry in Entries)
        {
            text.Append("file ").Append(ManifestArguments.Quote(entry.FileName))
                .Append(" seq ").Append(entry.Sequence.ToString(CultureInfo.InvariantCulture))
                .Append(" type ").Append(entry.TypeCode).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The manifest as written to disk (ASCII: names with other bytes are escaped).</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Format());

    public override string ToString() => Format();

    /// <summary>Reads and parses a manifest file; errors name <paramref name="path"/>.</summary>
    public static AofManifest Load(string path) => Parse(File.ReadAllBytes(path), path);

    public static AofManifest Parse(string content, string manifestName) => Parse(Encoding.UTF8.GetBytes(content), manifestName);

    /// <summary>
    /// Parses manifest text with Redis 7.0's rules: lines starting with '#' are comments; every other
    /// line holds key/value pairs in any order (at least file, seq and type; unknown keys are kept
    /// for forward compatibility and ignored); at most one base; incremental sequences strictly increase.
    /// </summary>
    /// <exception cref="AofManifestException">Redis would refuse this manifest.</exception>
    public static AofManifest Parse(ReadOnlySpan<byte> content, string manifestName)
    {
        if (content.IsEmpty)
        {
            throw new AofManifestException(ErrorEmpty, manifestName, 0, null);
        }
        AofManifestEntry? baseFile = null;
        long baseSequence = 0;
        long maxSequence = 0;
        var history = new List<AofManifestEntry>();
        var incrementals = new List<AofManifestEntry>();
        var lineNumber = 0;
        var position = 0;
        while (position < content.Length)
        {
            // Lines are read in chunks of at most MaxLineLength bytes, as fgets does: a longer comment
            // goes on as a second "line".
            var window = content.Slice(position, Math.Min(MaxLineLength, content.Length - position));
            var newline = window.IndexOf((byte)'\n');
            var chunk = newline >= 0 ? window[..(newline + 1)] : window;
            position += chunk.Length;
            lineNumber++;
            var nul = chunk.IndexOf((byte)0);
            if (nul >= 0)
            {
                chunk = chunk[..nul];
            }
            if (chunk.Length > 0 && chunk[0] == '#')
            {
                continue;
            }
            if (chunk.IndexOf((byte)'\n') < 0)
            {
                throw new AofManifestException(ErrorTooLong, manifestName, lineNumber, null);
            }
            var line = Trim(chunk);
            var lineText = Encoding.UTF8.GetString(line);
            var words = ManifestArguments.Split(line);
            if (line.IsEmpty || words is null || words.Count < 6 || words.Count % 2 != 0)
            {
                throw new AofManifestException(ErrorFormat, manifestName, lineNumber, lineText);
            }
            string? name = null;
            long sequence = 0;
            byte type = 0;
            for (var i = 0; i < words.Count; i += 2)
            {
                var key = Encoding.ASCII.GetString(words[i]);
                var value = words[i + 1];
                if (key.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    name = Encoding.UTF8.GetString(value);
                    if (name.Contains('/') || name.Contains('\\'))
                    {
                        throw new AofManifestException(ErrorPath, manifestName, lineNumber, lineText);
                    }
                }
                else if (key.Equals("seq", StringComparison.OrdinalIgnoreCase))
                {
                    sequence = AofNumberSyntax.Parse(value, out _, out _);
                }
                else if (key.Equals("type", StringComparison.OrdinalIgnoreCase))
                {
                    type = value.Length > 0 ? value[0] : (byte)0;
                }
            }
            if (name is null || sequence == 0 || type == 0)
            {
                throw new AofManifestException(ErrorFormat, manifestName, lineNumber, lineText);
            }
            switch (type)
            {
                case (byte)'b':
                    if (baseFile is not null)
                    {
                        throw new AofManifestException(ErrorDuplicateBase, manifestName, lineNumber, lineText);
                    }
                    baseFile = new AofManifestEntry(name, sequence, AofFileType.Base);
                    baseSequence = sequence;
                    break;
                case (byte)'h':
                    history.Add(new AofManifestEntry(name, sequence, AofFileType.History));
                    break;
                case (byte)'i':
                    if (sequence <= maxSequence)
                    {
                        throw new AofManifestException(ErrorSequence, manifestName, lineNumber, lineText);
                    }
                    incrementals.Add(new AofManifestEntry(name, sequence, AofFileType.Incremental));
                    maxSequence = sequence;
                    break;
                default:
                    throw new AofManifestException(ErrorType, manifestName, lineNumber, lineText);
            }
        }
        return new AofManifest(baseFile, [.. history], [.. incrementals], baseSequence, maxSequence);
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line)
    {
        var start = 0;
        var end = line.Length;
        while (start < end && line[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }
        while (end > start && line[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }
        return line[start..end];
    }
}
