namespace Yardmaster.Storage.Copy;

/// <summary>What <see cref="StoreCopy.RunAsync"/> did: the rows copied per table, or why it copied nothing.</summary>
/// <param name="Tables">Rows copied, per table, in copy order; empty when refused.</param>
/// <param name="NextRunId">The run id the target gives next (<c>r43</c>), after the source's last.</param>
/// <param name="Refusal">Why nothing was copied (the target already holds rows and <c>force</c> was not given); null when copied.</param>
public sealed record StoreCopyResult(IReadOnlyList<(string Table, long Rows)> Tables, string? NextRunId, string? Refusal);
