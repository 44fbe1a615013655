namespace Yardmaster.Core.Execution;

/// <summary><c>container:</c> of a step: an image that exists locally and the command to run in it.</summary>
/// <param name="Image">The image reference, e.g. <c>yard/busybox:local</c>; never pulled.</param>
/// <param name="Command">The command and its arguments; null for the image's own command.</param>
public sealed record ContainerSpec(string Image, IReadOnlyList<string>? Command)
{
    /// <summary>Where the run's working directory is mounted and the command starts. Default <c>/work</c>.</summary>
    public string WorkDir { get; init; } = "/work";

    /// <summary>
    /// The program and arguments that replace the image's entrypoint (a model server's command line run as written);
    /// null (the default) keeps the entrypoint, and <see cref="Command"/> is given to it.
    /// </summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
}
