using System.Globalization;
using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.CheckTools;

/// <summary>
/// <c>silo check-rdb &lt;file&gt;</c>: reads a whole RDB snapshot, validating every encoding and the
/// checksum, and reports like redis-check-rdb. A corrupt snapshot cannot be repaired, so there is no fix mode.
/// </summary>
public static class CheckRdbTool
{
    /// <summary>Checks the file named by <c>args[0]</c>; returns 0 when it is valid, 1 when it is not or on a usage error.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length != 1 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            output.WriteLine("Usage: silo check-rdb <rdb-file-name>");
            return 1;
        }

        var path = args[0];
        output.WriteLine($"[offset 0] Checking RDB file {path}");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            output.WriteLine($"Fatal error: can't open the RDB file {path} for reading: {e.Message}");
            return 1;
        }

        using (file)
        {
            var reader = new RdbReader(file, Path.GetFileName(path));
            var report = new Report(reader, output, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            try
            {
                var summary = reader.Read(report);
                if (summary.ChecksumVerified)
                {
                    output.WriteLine($"[offset {summary.Length}] Checksum OK");
                }
                else if (summary.Version >= 5)
                {
                    output.WriteLine($"[offset {summary.Length}] RDB file was saved with checksum disabled: no check performed.");
                }
                output.WriteLine($"[offset {summary.Length}] \\o/ RDB looks OK! \\o/");
                report.WriteCounts();
                return 0;
            }
            catch (RdbFormatException e)
            {
                output.WriteLine("--- RDB ERROR DETECTED ---");
                output.WriteLine($"[offset {e.Offset}] {e.Reason}");
                if (e.Phase is not null)
                {
                    output.WriteLine($"[additional info] While doing: {e.Phase}");
                }
                if (e.Key is not null)
                {
                    output.WriteLine($"[additional info] Reading key '{e.Key}'");
                }
                if (e.ObjectType >= 0)
                {
                    output.WriteLine($"[additional info] Reading type {e.ObjectType} ({RdbObjectType.Name(e.ObjectType)})");
                }
                report.WriteCounts();
                return 1;
            }
            catch (IOException e)
            {
                output.WriteLine("--- RDB ERROR DETECTED ---");
                output.WriteLine($"[offset {reader.Position}] I/O error reading RDB file: {e.Message}");
                report.WriteCounts();
                return 1;
            }
        }
    }

    /// <summary>Prints the aux fields and database switches as they are read, and counts keys.</summary>
    private sealed class Report(RdbReader reader, TextWriter output, long nowMs) : RdbHandler
    {
        private long _keys;
        private long _expires;
        private long _alreadyExpired;

        public void WriteCounts()
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[info] {_keys} keys read"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[info] {_expires} expires"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[info] {_alreadyExpired} already expired"));
        }

        public override void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
            output.WriteLine($"[offset {reader.Position}] AUX FIELD {Encoding.Latin1.GetString(name)} = '{Encoding.Latin1.GetString(value)}'");

        public override void OnSelectDb(int db) => output.WriteLine($"[offset {reader.Position}] Selecting DB ID {db}");

        public override void OnModuleAux(ReadOnlySpan<byte> moduleName) =>
            output.WriteLine($"[offset {reader.Position}] MODULE AUX for: {Encoding.ASCII.GetString(moduleName)}");

        protected override void OnKey(in RdbKeyMetadata metadata)
        {
            _keys++;
            if (metadata.ExpireAtMs != -1)
            {
                _expires++;
                if (metadata.ExpireAtMs < nowMs)
                {
                    _alreadyExpired++;
                }
            }
        }
    }
}
