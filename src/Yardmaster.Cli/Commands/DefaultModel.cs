namespace Yardmaster.Cli.Commands;

/// <summary>Finds the default model for commands run without <c>--model</c>.</summary>
internal static class DefaultModel
{
    public static Task<string> ResolveAsync(CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        throw new NotImplementedException("default model resolution lands with yard pull");
    }
}
