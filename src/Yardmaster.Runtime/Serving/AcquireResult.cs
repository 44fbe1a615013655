namespace Yardmaster.Runtime.Serving;

/// <summary>Either a <see cref="Lease"/> or a <see cref="Refusal"/>.</summary>
public readonly record struct AcquireResult(Lease? Lease, Refusal? Refusal)
{
    /// <summary>A granted slot.</summary>
    public static implicit operator AcquireResult(Lease lease) => new(lease, null);

    /// <summary>A refusal.</summary>
    public static implicit operator AcquireResult(Refusal refusal) => new(null, refusal);
}
