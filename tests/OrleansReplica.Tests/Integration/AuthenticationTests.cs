using OrleansReplica.Client;

namespace OrleansReplica.Tests.Integration;

/// <summary>requirepass: NOAUTH until AUTH or HELLO AUTH succeeds, and the tighter protocol limits before it.</summary>
public sealed class AuthenticationTests
{
    private const string Password = "s3cret";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

    [Fact]
    public async Task Commands_need_auth_and_wrong_passwords_are_refused()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        Assert.Equal("-NOAUTH Authentication required.\r\n", await client.RawAsync("GET", "x"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", await client.RawAsync("SET", "x", "1"));
        Assert.Equal(WrongPass, await client.RawAsync("AUTH", "wrong"));
        Assert.Equal(WrongPass, await client.RawAsync("AUTH", "default", "wrong"));
        Assert.Equal(WrongPass, await client.RawAsync("AUTH", "someone", Password));
        Assert.Equal("-NOAUTH Authentication required.\r\n", await client.RawAsync("GET", "x"));
        Assert.Equal("+OK\r\n", await client.RawAsync("AUTH", Password));
        Assert.Equal("$-1\r\n", await client.RawAsync("GET", "x"));
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "x", "1"));
    }

    [Fact]
    public async Task Auth_with_the_default_user_succeeds()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("AUTH", "default", Password));
        Assert.Equal("+PONG\r\n", await client.RawAsync("PING"));
    }

    [Fact]
    public async Task Hello_3_with_auth_authenticates_and_switches_protocol()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        var hello = Assert.IsType<RespMap>(await client.ExecuteAsync("HELLO", "3", "AUTH", "default", Password));
        Assert.Equal(3, hello["proto"]!.AsInt64());
        Assert.Equal("_\r\n", await client.RawAsync("GET", "missing"));
    }

    [Fact]
    public async Task Hello_with_a_wrong_password_is_refused()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        Assert.Equal(WrongPass, await client.RawAsync("HELLO", "3", "AUTH", "default", "wrong"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", await client.RawAsync("GET", "x"));
    }

    [Fact]
    public async Task Hello_without_auth_before_authenticating_is_refused_with_redis_text()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        Assert.Equal(
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
            await client.RawAsync("HELLO", "3"));
    }

    [Fact]
    public async Task Unauthenticated_multibulk_of_more_than_ten_arguments_is_a_protocol_error()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("*11\r\n"));
        Assert.Equal("-ERR Protocol error: unauthenticated multibulk length\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(client);
    }

    [Fact]
    public async Task Unauthenticated_bulk_longer_than_16k_is_a_protocol_error()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("*2\r\n$3\r\nGET\r\n$20000\r\n"));
        Assert.Equal("-ERR Protocol error: unauthenticated bulk length\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(client);
    }

    [Fact]
    public async Task Authenticated_clients_may_send_long_multibulks()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("AUTH", Password));
        var mset = new List<object> { "MSET" };
        for (var i = 0; i < 10; i++)
        {
            mset.Add($"k{i}");
            mset.Add(new string('v', 20_000));
        }
        Assert.Equal("+OK\r\n", await client.RawAsync([.. mset]));
        Assert.Equal(":10\r\n", await client.RawAsync("DBSIZE"));
    }

    [Fact]
    public async Task Reset_deauthenticates_the_connection()
    {
        await using var silo = await SiloUnderTest.StartAsync(("requirepass", Password));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("AUTH", Password));
        Assert.Equal("+RESET\r\n", await client.RawAsync("RESET"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", await client.RawAsync("GET", "x"));
    }
}
