namespace OrleansReplica.Hosting.Configuration;

/// <summary>How a config parameter may be read and changed, as Redis flags its parameters.</summary>
[Flags]
public enum ConfigFlags
{
    None = 0,

    /// <summary>Only the config file or command line can set it; CONFIG SET fails.</summary>
    Immutable = 1,

    /// <summary>CONFIG SET needs <c>enable-protected-configs</c> (yes, or local for local clients).</summary>
    Protected = 2,

    /// <summary>Not listed by CONFIG GET patterns; only an exact name shows it.</summary>
    Hidden = 4,

    /// <summary>Takes several arguments; CONFIG SET splits its value on spaces.</summary>
    MultiArg = 8,

    /// <summary>Its value is a secret that must be redacted from logs and MONITOR.</summary>
    Sensitive = 16,

    /// <summary>CONFIG SET is refused while a dataset is loading.</summary>
    DenyLoading = 32,
}
