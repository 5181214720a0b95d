using OrleansReplica.Hosting.Connections;

namespace OrleansReplica.Tests.Unit;

public sealed class ConnectionTurnsTests
{
    private const long Start = 1_000_000;
    private static readonly long Budget = ConnectionTurns.Budget;

    [Fact]
    public void A_connection_served_alone_for_its_budget_gives_way_once_then_starts_a_new_turn()
    {
        var turns = new ConnectionTurns();

        Assert.False(turns.MustGiveWay(1, Start));
        Assert.False(turns.MustGiveWay(1, Start + Budget - 1));
        Assert.True(turns.MustGiveWay(1, Start + Budget));
        Assert.False(turns.MustGiveWay(1, Start + Budget + 1));
        Assert.False(turns.MustGiveWay(1, Start + 2 * Budget));
        Assert.True(turns.MustGiveWay(1, Start + 2 * Budget + 1));
    }

    [Fact]
    public void Connections_served_in_turn_never_give_way()
    {
        var turns = new ConnectionTurns();

        for (var i = 0; i < 100; i++)
        {
            Assert.False(turns.MustGiveWay(1 + i % 2, Start + i * Budget));
        }
    }

    [Fact]
    public void Another_connection_in_between_restarts_the_turn()
    {
        var turns = new ConnectionTurns();

        Assert.False(turns.MustGiveWay(1, Start));
        Assert.False(turns.MustGiveWay(2, Start + Budget / 2));
        Assert.False(turns.MustGiveWay(1, Start + Budget));
        Assert.False(turns.MustGiveWay(1, Start + 2 * Budget - 1));
        Assert.True(turns.MustGiveWay(1, Start + 2 * Budget));
    }
}
