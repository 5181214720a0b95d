using System.Text;

namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>
/// ASCII case-insensitive equality of command names that also looks names up by their UTF-8 bytes,
/// so a request's command name is matched without allocating a string.
/// </summary>
internal sealed class CommandNameComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<byte>, string>
{
    public static readonly CommandNameComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase);

    public int GetHashCode(string name)
    {
        var hash = OffsetBasis;
        foreach (var c in name)
        {
            hash = (hash ^ Lower(c)) * Prime;
        }
        return (int)hash;
    }

    public bool Equals(ReadOnlySpan<byte> alternate, string other)
    {
        if (alternate.Length != other.Length)
        {
            return false;
        }
        for (var i = 0; i < alternate.Length; i++)
        {
            if (Lower(alternate[i]) != Lower(other[i]))
            {
                return false;
            }
        }
        return true;
    }

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = OffsetBasis;
        foreach (var b in alternate)
        {
            hash = (hash ^ Lower(b)) * Prime;
        }
        return (int)hash;
    }

    public string Create(ReadOnlySpan<byte> alternate) => Encoding.UTF8.GetString(alternate);

    // FNV-1a: names are short and the table's keys are fixed, so a simple unseeded hash is enough.
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    private static uint Lower(uint c) => c - 'A' <= 'Z' - 'A' ? c | 0x20 : c;
}
