namespace Yardmaster.Server.Ensembles;

/// <summary>How one member of an ensemble request ended.</summary>
internal enum MemberStatus
{
    /// <summary>It answered successfully in time.</summary>
    Answered,

    /// <summary>It had not answered when the ensemble answered at its deadline; it was cancelled.</summary>
    Late,

    /// <summary>It failed: refused, an error answer, a backend failure.</summary>
    Failed,

    /// <summary>It was still running when another member's answer settled the request (<c>first</c>); it was cancelled.</summary>
    Cancelled,
}
