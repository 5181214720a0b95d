using System.Text;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>One RDB snapshot rule: save when at least <see cref="Changes"/> writes happened in <see cref="Seconds"/>.</summary>
public readonly record struct SavePoint(long Seconds, int Changes);

/// <summary>The <c>save</c> parameter: pairs of seconds and changes; several file lines add up.</summary>
public sealed class SaveDefinition : ConfigDefinition
{
    internal SaveDefinition()
        : base("save", null, ConfigFlags.MultiArg)
    {
    }

    public static IReadOnlyList<SavePoint> DefaultValue { get; } = [new(3600, 1), new(300, 100), new(60, 10000)];

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        int count = args.Length == 1 && args[0].Length == 0 ? 0 : args.Length;
        if (count % 2 != 0)
        {
            return "Invalid save parameters";
        }

        var points = new List<SavePoint>(count / 2);
        for (int j = 0; j < count; j += 2)
        {
            if (!ConfigNumbers.TryParseC(args[j], 10, out long seconds) || seconds < 1
                || !ConfigNumbers.TryParseC(args[j + 1], 10, out long changes) || changes < 0)
            {
                return "Invalid save parameters";
            }

            points.Add(new SavePoint(seconds, unchecked((int)changes)));
        }

        // In the config file the first save line replaces the defaults and later ones add rules
        // (save "" empties the list); CONFIG SET replaces the whole list.
        var config = context.Config;
        if (context.FromFile && config.SaveLoadedFromFile && count > 0)
        {
            points.InsertRange(0, (IReadOnlyList<SavePoint>)value.Ref!);
        }

        if (context.FromFile)
        {
            config.SaveLoadedFromFile = true;
        }

        value = ConfigValue.Of(points.ToArray());
        return null;
    }

    internal override string Format(ConfigValue value)
    {
        var sb = new StringBuilder();
        foreach (var point in (IReadOnlyList<SavePoint>)value.Ref!)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(point.Seconds).Append(' ').Append(point.Changes);
        }

        return sb.ToString();
    }

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        var points = (IReadOnlyList<SavePoint>)value.Ref!;

        // Always written: an absent save line would bring the defaults back.
        if (points.Count == 0)
        {
            state.RewriteLine(Name, "save \"\"", force: true);
        }

        foreach (var point in points)
        {
            state.RewriteLine(Name, $"save {point.Seconds} {point.Changes}", force: true);
        }

        state.MarkProcessed(Name);
    }
}
