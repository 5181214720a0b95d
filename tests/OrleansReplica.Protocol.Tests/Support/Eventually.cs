using System.Diagnostics;

namespace OrleansReplica.Protocol.Tests.Support;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Condition not met within {timeout}");
            }

            await Task.Delay(10);
        }
    }
}
