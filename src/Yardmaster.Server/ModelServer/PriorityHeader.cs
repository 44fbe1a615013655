using Yardmaster.Core;

namespace Yardmaster.Server.ModelServer;

/// <summary>
/// <c>X-Yard-Priority</c>: the priority class the gateway sends with each request to a model server, so that its engine
/// admits the most urgent first and lets a more urgent request take a less urgent one's slot. Absent means <c>normal</c>.
/// </summary>
internal static class PriorityHeader
{
    public const string Name = "X-Yard-Priority";

    /// <summary>The engine's priority (the class's number: critical 0 … batch 4), or the error naming the header's bad value.</summary>
    public static (int Priority, OpenAiError? Error) Read(HttpRequest request)
    {
        var values = request.Headers[Name];
        if (values.Count == 0)
        {
            return ((int)PriorityClass.Normal, null);
        }

        if (values.Count == 1 && PriorityClasses.TryParse(values[0], out var priority))
        {
            return ((int)priority, null);
        }

        return (0, OpenAiError.BadRequest($"header {Name} must be one of {PriorityClasses.Names}, got '{Shown(values.ToString())}'", Name));
    }

    private static string Shown(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");
}
