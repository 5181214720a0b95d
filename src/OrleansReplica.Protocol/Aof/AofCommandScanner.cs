using System.Globalization;
using System.Text;

namespace OrleansReplica.Protocol.Aof;

/// <summary>
/// Validates the command part of an AOF file as redis-check-aof does: multibulk commands
/// (<c>*N\r\n$len\r\narg\r\n...</c>), annotation lines starting with '#' (such as <c>#TS:&lt;unix time&gt;</c>),
/// and MULTI ... EXEC blocks that must be complete. Streams with a fixed buffer, so any size of
/// file is checked in bounded memory. One scanner serves the files of one manifest in turn: its
/// line count runs on from file to file, as redis-check-aof's does. Not thread-safe.
/// </summary>
public sealed class AofCommandScanner
{
    private const int BufferSize = 64 * 1024;

    // fgets buffer sizes of redis-check-aof: a header line and an annotation line.
    private const int HeaderLineSize = 128;
    private const int AnnotationLineSize = 1024;

    // Longest first argument compared with MULTI / EXEC (a NUL ends the comparison, as strcasecmp's).
    private const int CommandNameBytes = 6;

    private readonly AofInput _input = new(BufferSize);

    // Kept across reads: a short header line leaves the previous line's bytes after its NUL, and the
    // "Expected \r\n" message shows them, as redis-check-aof's reused stack buffer does.
    private readonly byte[] _headerLine = new byte[HeaderLineSize + 1];
    private readonly byte[] _annotation = new byte[AnnotationLineSize];
    private readonly long _truncateToTimestamp;

    private string _source = "";
    private long _errorOffset;
    private string? _error;
    private AofScanStatus _failure;
    private int _multi;

    /// <param name="truncateToTimestamp">When not 0, a "#TS:" annotation later than this stops the scan (<see cref="AofScanStatus.TimestampReached"/>).</param>
    /// <param name="firstLine">The line count at the start (redis-check-aof starts at 1).</param>
    public AofCommandScanner(long truncateToTimestamp = 0, long firstLine = 1)
    {
        _truncateToTimestamp = truncateToTimestamp;
        Line = firstLine;
    }

    /// <summary>The running line count (continues across <see cref="Scan"/> calls).</summary>
    public long Line { get; private set; }

    /// <summary>Scans one stream from its current position to its end.</summary>
    public static AofScanResult ScanAll(Stream input, string source = "", long truncateToTimestamp = 0) =>
        new AofCommandScanner(truncateToTimestamp).Scan(input, source);

    /// <summary>
    /// Reads <paramref name="input"/> from its current position to its end.
    /// </summary>
    /// <param name="source">The file name used in messages ("Unexpected MULTI in AOF &lt;source&gt;").</param>
    /// <param name="startOffset">The offset of the stream's current position in the file (the size of an RDB preamble), so offsets are file offsets.</param>
    public AofScanResult Scan(Stream input, string source, long startOffset = 0)
    {
        _input.Reset(input, startOffset);
        _source = source;
        _error = null;
        _errorOffset = startOffset;
        _failure = AofScanStatus.Valid;
        _multi = 0;
        long validLength = startOffset;
        long commands = 0;
        long committed = 0;
        var failed = false;
        while (true)
        {
            if (_multi == 0)
            {
                // Inside MULTI the valid part ends before the MULTI: a transaction is all or nothing.
                validLength = _input.Position;
                committed = commands;
            }
            var next = _input.Peek();
            if (next < 0)
            {
                break;
            }
            if (next == '#')
            {
                var annotation = ReadAnnotation();
                if (annotation is { } stop)
                {
                    return stop with { Commands = committed };
                }
            }
            else if (next == '*')
            {
                if (!ReadCommand())
                {
                    failed = true;
                    break;
                }
                commands++;
            }
            else
            {
                // redis-check-aof's "AOF <name> format error", with no detail line.
                _failure = AofScanStatus.FormatError;
                failed = true;
                break;
            }
        }
        if (_input.EndReached && _multi != 0 && _error is null)
        {
            _error = "Reached EOF before reading EXEC for MULTI";
            _failure = AofScanStatus.Truncated;
            failed = true;
        }
        var status = failed ? _failure : AofScanStatus.Valid;
        return new AofScanResult(status, validLength, Line, committed, _error, _errorOffset, 0);
    }

    /// <summary>Consumes an annotation line; returns a result when it ends the scan (truncation to a timestamp).</summary>
    private AofScanResult? ReadAnnotation()
    {
        var start = _input.Position;
        _errorOffset = start;
        var length = _input.ReadLine(_annotation);
        if (_truncateToTimestamp == 0 || length < 4 || !_annotation.AsSpan(0, 4).SequenceEqual("#TS:"u8))
        {
            return null;
        }
        var text = _annotation.AsSpan(4, length - 4);
        var timestamp = AofNumberSyntax.Parse(text, out var end, out var overflow);
        var terminator = end < text.Length ? text[end] : (byte)0;
        if (overflow || terminator != '\r')
        {
            return new AofScanResult(AofScanStatus.InvalidTimestamp, start, Line, 0, "Invalid timestamp annotation", start, 0);
        }
        if (timestamp <= _truncateToTimestamp)
        {
            return null;
        }
        return new AofScanResult(AofScanStatus.TimestampReached, start, Line, 0, null, start, timestamp);
    }

    private bool ReadCommand()
    {
        if (!ReadNumber((byte)'*', out var argc))
        {
            return false;
        }
        Span<byte> name = stackalloc byte[CommandNameBytes];
        Span<byte> terminator = stackalloc byte[2];
        for (long i = 0; i < argc; i++)
        {
            if (!ReadNumber((byte)'$', out var length))
            {
                return false;
            }
            if (length < 0 || length > long.MaxValue - 2)
            {
                return Fail(AofScanStatus.FormatError, $"Expected to read string of {length} bytes, which is not in the suitable range");
            }
            _errorOffset = _input.Position;
            var kept = i == 0 ? (int)Math.Min(length, CommandNameBytes) : 0;
            long got = _input.Read(name[..kept]);
            if (got == kept)
            {
                got += _input.Skip(length - kept);
            }
            var terminatorBytes = got == length ? _input.Read(terminator) : 0;
            got += terminatorBytes;
            if (got != length + 2)
            {
                return Fail(AofScanStatus.Truncated, $"Expected to read {length + 2} bytes, got {got} bytes");
            }
            if (terminator[0] != '\r' || terminator[1] != '\n')
            {
                return Fail(AofScanStatus.FormatError, "Expected \\r\\n, got: " + Hex(terminator[0]) + Hex(terminator[1]));
            }
            Line++;
            if (i == 0 && !CheckTransaction(name[..kept]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>MULTI must not nest and EXEC must close one.</summary>
    private bool CheckTransaction(ReadOnlySpan<byte> name)
    {
        var nul = name.IndexOf((byte)0);
        if (nul >= 0)
        {
            name = name[..nul];
        }
        if (name.Length == 5 && Ascii.EqualsIgnoreCase(name, "multi"u8))
        {
            if (_multi++ != 0)
            {
                return Fail(AofScanStatus.FormatError, $"Unexpected MULTI in AOF {_source}");
            }
        }
        else if (name.Length == 4 && Ascii.EqualsIgnoreCase(name, "exec"u8))
        {
            if (--_multi != 0)
            {
                return Fail(AofScanStatus.FormatError, $"Unexpected EXEC in AOF {_source}");
            }
        }
        return true;
    }

    /// <summary>A "*N\r\n" or "$N\r\n" line, read and judged as redis-check-aof does (fgets of 127 bytes, then strtol).</summary>
    private bool ReadNumber(byte prefix, out long value)
    {
        value = 0;
        _errorOffset = _input.Position;
        var line = _headerLine.AsSpan(0, HeaderLineSize);
        var length = _input.ReadLine(line);
        if (length == 0)
        {
            // The data ends where a line should start: incomplete, but redis-check-aof prints no detail.
            _failure = AofScanStatus.Truncated;
            return false;
        }
        if (line[0] != prefix)
        {
            return Fail(AofScanStatus.FormatError, $"Expected prefix '{(char)prefix}', got: '{(char)line[0]}'");
        }
        value = AofNumberSyntax.Parse(line[1..], out var end, out _);
        var at = 1 + end;
        var first = _headerLine[at];
        var second = _headerLine[at + 1];
        if (first != '\r' || second != '\n')
        {
            var cutShort = _input.EndReached && line[length - 1] != '\n';
            return Fail(cutShort ? AofScanStatus.Truncated : AofScanStatus.FormatError, "Expected \\r\\n, got: " + Hex(first) + Hex(second));
        }
        Line++;
        return true;
    }

    private bool Fail(AofScanStatus status, string error)
    {
        _failure = status;
        _error = error;
        return false;
    }

    /// <summary>printf("%02x") of a C char, which is signed: bytes from 0x80 print sign-extended.</summary>
    private static string Hex(byte value) =>
        value < 0x80 ? value.ToString("x2", CultureInfo.InvariantCulture) : "ffffff" + value.ToString("x2", CultureInfo.InvariantCulture);
}
