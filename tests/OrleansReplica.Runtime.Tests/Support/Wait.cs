namespace OrleansReplica.Runtime.Tests.Support;

/// <summary>Waits for a condition with a timeout instead of sleeping a fixed time.</summary>
internal static class Wait
{
    public static async Task Until(Func<bool> condition, string what, int timeoutMilliseconds = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(1);
        }
    }

    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(10));

    public static Task Within(Task task) => task.WaitAsync(TimeSpan.FromSeconds(10));
}
