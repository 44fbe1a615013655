using System.Security.Cryptography;
using System.Text;

namespace Yardmaster.Executors.Kubernetes;

/// <summary>
/// The names and labels an attempt's Job carries. Job names are DNS-1123 labels (the Job controller copies them into
/// the pods' <c>job-name</c> label, so at most 63 characters); label values are at most 63 characters of letters,
/// digits, '.', '_', '-', starting and ending with a letter or digit. An id that does not fit is shortened and given
/// a hash of the whole id, so two attempts never share a name.
/// </summary>
internal static class KubernetesNames
{
    /// <summary>The run's id (label-safe form).</summary>
    public const string RunLabel = "yardmaster/run";

    /// <summary>The step's id (label-safe form).</summary>
    public const string StepLabel = "yardmaster/step";

    /// <summary>The attempt number, 1 for the first try.</summary>
    public const string AttemptLabel = "yardmaster/attempt";

    /// <summary>The attempt's id (label-safe form): what a restarted scheduler finds the Job by.</summary>
    public const string AttemptIdLabel = "yardmaster/attempt-id";

    /// <summary>The attempt's id exactly as the scheduler wrote it, to tell a shortened label's owner apart.</summary>
    public const string AttemptIdAnnotation = "yardmaster/attempt-id";

    /// <summary>The name of the one container of the pod.</summary>
    public const string Container = "step";

    private const int MaxLength = 63;

    /// <summary>The Job's name: <c>yard-</c> and the attempt id in lower case, '.' and '_' as '-'.</summary>
    public static string Job(string attemptId)
    {
        var lower = new StringBuilder("yard-");
        foreach (var c in attemptId)
        {
            lower.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        var name = lower.ToString().TrimEnd('-');
        // Only an id that maps onto itself keeps its plain name: "a.b" and "a-b" must not meet on "yard-a-b".
        var exact = name.Length <= MaxLength && string.Equals(name[5..], attemptId, StringComparison.Ordinal);
        return exact ? name : Shorten(name, attemptId, '-');
    }

    /// <summary><paramref name="value"/> as a label value: itself when it is one, else a shortened form with a hash.</summary>
    public static string LabelValue(string value)
    {
        if (IsLabelValue(value))
        {
            return value;
        }

        var safe = new string([.. value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]);
        return Shorten(safe, value, '.');
    }

    /// <summary>True when <paramref name="value"/> is a valid label value (empty included).</summary>
    public static bool IsLabelValue(string value) =>
        value.Length == 0
        || (value.Length <= MaxLength
            && char.IsAsciiLetterOrDigit(value[0])
            && char.IsAsciiLetterOrDigit(value[^1])
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));

    private static string Shorten(string safe, string original, char separator)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(original)))[..10];
        var head = safe[..Math.Min(safe.Length, MaxLength - hash.Length - 1)].Trim('-', '.', '_');
        return head.Length == 0 ? "x" + separator + hash : head + separator + hash;
    }
}
