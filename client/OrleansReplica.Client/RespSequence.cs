namespace OrleansReplica.Client;

/// <summary>Element-wise equality of reply lists (records compare collections by reference otherwise).</summary>
internal static class RespSequence
{
    public static bool Equal(IReadOnlyList<RespValue>? left, IReadOnlyList<RespValue>? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        for (int i = 0; i < left.Count; i++)
        {
            if (!left[i].Equals(right[i]))
            {
                return false;
            }
        }

        return true;
    }
}
