using System.Diagnostics;
using System.Text;
using OrleansReplica.Client;

namespace OrleansReplica.Tests.Integration;

/// <summary>Helpers for raw protocol bytes, condition waits and closed-connection checks.</summary>
public static class Wire
{
    /// <summary>How long a test waits for a condition that should hold almost at once.</summary>
    public static readonly TimeSpan ConditionTimeout = TimeSpan.FromSeconds(10);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>One request in the multibulk form.</summary>
    public static string Multibulk(params string[] args)
    {
        var text = new StringBuilder();
        text.Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }
        return text.ToString();
    }

    /// <summary>Sends a command and returns its reply as text exactly as received (RESP bytes).</summary>
    public static async Task<string> RawAsync(this RedisConnection connection, params object[] args) =>
        Text(await connection.ExecuteRawAsync(args));

    /// <summary>INFO &lt;section&gt; as name/value pairs.</summary>
    public static async Task<Dictionary<string, string>> InfoAsync(this RedisConnection connection, string section)
    {
        var text = (await connection.ExecuteAsync("INFO", section)).AsString()!;
        return text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(static line => !line.StartsWith('#'))
            .Select(static line => line.Split(':', 2))
            .ToDictionary(static parts => parts[0], static parts => parts[1]);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? ConditionTimeout;
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:F0} s waiting until {what}.");
            }
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Asserts that the server closes the connection: reading yields end of stream or a reset
    /// (a reply still buffered before the close is skipped), never a timeout.
    /// </summary>
    public static async Task AssertClosedByServerAsync(RedisConnection connection)
    {
        for (var i = 0; i < 1000; i++)
        {
            try
            {
                await connection.ReadRawReplyAsync();
            }
            catch (IOException)
            {
                Assert.False(connection.IsConnected);
                return;
            }
        }
        Assert.Fail("The server kept sending replies instead of closing the connection.");
    }
}
