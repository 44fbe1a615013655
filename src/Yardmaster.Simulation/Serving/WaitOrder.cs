namespace Yardmaster.Simulation.Serving;

/// <summary>Orders wait limits as the event heap orders events: by time, then by when they were scheduled (unique).</summary>
internal sealed class WaitOrder : IComparer<(DateTimeOffset At, long Seq, SimRequest Request)>
{
    public static WaitOrder Instance { get; } = new();

    public int Compare((DateTimeOffset At, long Seq, SimRequest Request) x, (DateTimeOffset At, long Seq, SimRequest Request) y)
    {
        var c = x.At.CompareTo(y.At);
        return c != 0 ? c : x.Seq.CompareTo(y.Seq);
    }
}
