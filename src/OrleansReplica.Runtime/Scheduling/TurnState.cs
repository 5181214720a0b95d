namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// An activation's turn, its pending-work mark and its task scheduler's claim packed into one word, so an
/// uncontended call takes and releases all of them with one compare-and-swap each.
/// </summary>
/// <remarks>
/// Bits 0-3 are flags (below); bits 4 and up number the turns. The number advances whenever a turn ends
/// or is handed to the pump, so a lease of an earlier turn never matches a later one. Every write is an
/// interlocked operation, because lock-free entries and exits race with writers that hold the gate.
/// </remarks>
internal sealed class TurnState
{
    /// <summary>Someone owns the turn: an inline caller, a lease, queued work or the pump.</summary>
    public const long Held = 1;

    /// <summary>Work may be queued (or a deactivation requested); set and cleared only under the gate.</summary>
    public const long Work = 2;

    /// <summary>The task scheduler is draining on the thread pool, or inline grain code owns it.</summary>
    public const long Claimed = 4;

    /// <summary>Tasks were queued while the scheduler was claimed (makes an inline exit take the slow path).</summary>
    public const long Queued = 8;

    /// <summary>Any flag: an inline call may start only when none is set.</summary>
    public const long Flags = Held | Work | Claimed | Queued;

    private const int TurnShift = 4;
    private const long OneTurn = 1L << TurnShift;

    private long word;

    public static long TurnOf(long state) => state >> TurnShift;

    /// <summary>The state with its turn ended: number advanced, <paramref name="cleared"/> flags removed.</summary>
    public static long Ended(long state, long cleared) => (state & ~cleared) + OneTurn;

    public long Read() => Volatile.Read(ref word);

    /// <summary>Compare-and-swap; returns the value seen (equal to <paramref name="expected"/> on success).</summary>
    public long Change(long expected, long next) => Interlocked.CompareExchange(ref word, next, expected);

    /// <summary>Marks work as pending and takes the turn if it was free; true when the caller must start the pump.</summary>
    public bool RequestTurn() => (Interlocked.Or(ref word, Work | Held) & Held) == 0;

    /// <summary>Ends the turn in progress but keeps it held, for the pump to run the next work.</summary>
    public void HandOn() => Interlocked.Add(ref word, OneTurn);

    /// <summary>Ends the turn in progress and releases it (the caller saw no pending work under the gate).</summary>
    public void End()
    {
        var state = Read();
        long seen;
        while ((seen = Change(state, Ended(state, Held | Work))) != state)
        {
            state = seen;
        }
    }

    /// <summary>Releases a turn whose number already advanced (the pump found nothing to run).</summary>
    public void Release() => Interlocked.And(ref word, ~(Held | Work));

    /// <summary>Claims the scheduler for a drain; when already claimed, marks tasks as queued. True when the caller must post the drain.</summary>
    public bool ClaimScheduler()
    {
        var state = Read();
        while (true)
        {
            var next = state | ((state & Claimed) == 0 ? Claimed : Queued);
            var seen = Change(state, next);
            if (seen == state)
            {
                return (state & Claimed) == 0;
            }

            state = seen;
        }
    }

    /// <summary>Ends a drain or an inline claim; <paramref name="keepClaim"/> when tasks remain and a drain is about to be posted.</summary>
    public void ReleaseScheduler(bool keepClaim) => Interlocked.And(ref word, ~(keepClaim ? Queued : Claimed | Queued));
}
