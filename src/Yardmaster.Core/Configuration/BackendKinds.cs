namespace Yardmaster.Core.Configuration;

/// <summary>What the kinds of backend have in common.</summary>
public static class BackendKinds
{
    /// <summary>True for the backends that run a <c>command</c> (here or on a cluster): declared only in the config file, never through the API.</summary>
    public static bool RunsCommand(this BackendKind backend) => backend is BackendKind.Process or BackendKind.Slurm or BackendKind.Kubernetes;

    /// <summary>True for the backends whose replicas run on a cluster's nodes, not on this machine's devices.</summary>
    public static bool OnCluster(this BackendKind backend) => backend is BackendKind.Slurm or BackendKind.Kubernetes;

    /// <summary>The name <c>backend:</c> takes.</summary>
    public static string Name(this BackendKind backend) => backend switch
    {
        BackendKind.Builtin => "builtin",
        BackendKind.Process => "process",
        BackendKind.Http => "http",
        BackendKind.Slurm => "slurm",
        BackendKind.Kubernetes => "kubernetes",
        _ => backend.ToString(),
    };
}
