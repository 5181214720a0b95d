namespace OrleansReplica.Hosting.Configuration;

/// <summary>
/// The <c>dir</c> parameter: the working directory for RDB, AOF and relative paths. Redis changes the
/// process directory; several silos share a process here, so the absolute path is kept instead.
/// </summary>
public sealed class DirDefinition : ConfigDefinition
{
    internal DirDefinition()
        : base("dir", null, ConfigFlags.Protected | ConfigFlags.DenyLoading)
    {
    }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(Normalize(Environment.CurrentDirectory));

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (args.Length != 1)
        {
            return "wrong number of arguments";
        }

        if (args[0].Length == 0)
        {
            return "No such file or directory";
        }

        string path;
        try
        {
            path = Normalize(Path.GetFullPath(args[0], (string)value.Ref!));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return "No such file or directory";
        }

        if (Directory.Exists(path))
        {
            value = ConfigValue.Of(path);
            return null;
        }

        return HasFileAncestor(path) ? "Not a directory" : "No such file or directory";
    }

    internal override string Format(ConfigValue value) => (string)value.Ref!;

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state) =>
        state.RewriteLine(Name, $"{Name} {ConfigArgs.Quote((string)value.Ref!)}", force: true);

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(path);

    // chdir fails with ENOTDIR when the path or one of its parents is a file.
    private static bool HasFileAncestor(string path)
    {
        for (string? p = path; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                return true;
            }
        }

        return false;
    }
}
