using Microsoft.Win32.SafeHandles;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>Reads a procfs text file again and again through one open handle (seq_file regenerates it at offset 0), without allocating.</summary>
internal sealed class ProcFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[8192];

    private ProcFile(SafeFileHandle handle) => _handle = handle;

    /// <summary>Opens the file, or returns null when it does not exist (the process exited).</summary>
    public static ProcFile? TryOpen(string path)
    {
        try
        {
            return new ProcFile(File.OpenHandle(path, FileMode.Open, FileAccess.Read));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The current contents (valid until the next read); empty once the process is gone.</summary>
    public ReadOnlySpan<byte> Read()
    {
        try
        {
            int total = 0;
            while (total < _buffer.Length)
            {
                int n = RandomAccess.Read(_handle, _buffer.AsSpan(total), total);
                if (n <= 0)
                {
                    break;
                }

                total += n;
            }

            return _buffer.AsSpan(0, total);
        }
        catch (IOException)
        {
            return default;
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>Field parsing for /proc/PID/status, smaps_rollup and task/PID/children.</summary>
internal static class ProcFields
{
    /// <summary>The value in kB of a "Name:   123 kB" line, or -1 when absent.</summary>
    public static long KiB(ReadOnlySpan<byte> text, ReadOnlySpan<byte> name)
    {
        int at = 0;
        while (true)
        {
            int found = text[at..].IndexOf(name);
            if (found < 0)
            {
                return -1;
            }

            at += found;
            if (at == 0 || text[at - 1] == (byte)'\n')
            {
                return ParseNumber(text[(at + name.Length)..]);
            }

            at += name.Length;
        }
    }

    /// <summary>The first number in <paramref name="text"/> (leading spaces skipped), or -1.</summary>
    public static long ParseNumber(ReadOnlySpan<byte> text)
    {
        int i = 0;
        while (i < text.Length && (text[i] == (byte)' ' || text[i] == (byte)'\t'))
        {
            i++;
        }

        if (i == text.Length || text[i] < (byte)'0' || text[i] > (byte)'9')
        {
            return -1;
        }

        long value = 0;
        while (i < text.Length && text[i] >= (byte)'0' && text[i] <= (byte)'9')
        {
            value = value * 10 + (text[i] - '0');
            i++;
        }

        return value;
    }
}
