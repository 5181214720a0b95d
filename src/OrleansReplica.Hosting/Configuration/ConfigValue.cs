namespace OrleansReplica.Hosting.Configuration;

/// <summary>The stored value of one parameter: a number (bools, integers, enums) or an immutable object.</summary>
internal readonly record struct ConfigValue(long Number, object? Ref)
{
    public static ConfigValue Of(long number) => new(number, null);

    public static ConfigValue Of(object? reference) => new(0, reference);
}
