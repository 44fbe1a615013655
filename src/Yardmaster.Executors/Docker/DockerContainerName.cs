using System.Text;

namespace Yardmaster.Executors.Docker;

/// <summary>The deterministic container name of an attempt, so a restarted scheduler finds it again.</summary>
internal static class DockerContainerName
{
    /// <summary>
    /// <c>yard-</c> + the attempt id, with every character outside Docker's name set
    /// (<c>[a-zA-Z0-9_.-]</c>) replaced by '_'. Attempt ids are already in that set, so the name is injective for them.
    /// </summary>
    public static string For(string attemptId)
    {
        ArgumentException.ThrowIfNullOrEmpty(attemptId);
        var name = new StringBuilder("yard-", 5 + attemptId.Length);
        foreach (var c in attemptId)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_');
        }

        return name.ToString();
    }
}
