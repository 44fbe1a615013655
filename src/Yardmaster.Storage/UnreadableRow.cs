namespace Yardmaster.Storage;

/// <summary>
/// A stored definition that no longer reads (hand-edited, or written by a version with other rules): the
/// store skips it when listing and reports it with this value. Upserting a valid definition of the same
/// name repairs it; deleting the name removes it.
/// </summary>
/// <param name="Table">Where it is: <c>tasks</c> or <c>models</c>.</param>
/// <param name="Name">Its key.</param>
/// <param name="Errors">Why it does not read, one message per problem.</param>
public sealed record UnreadableRow(string Table, string Name, IReadOnlyList<string> Errors);
