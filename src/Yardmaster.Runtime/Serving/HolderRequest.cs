using Yardmaster.Core;

namespace Yardmaster.Runtime.Serving;

/// <summary>A request a memory-holding replica is serving: its task and class.</summary>
public sealed record HolderRequest(string Task, PriorityClass Priority);
