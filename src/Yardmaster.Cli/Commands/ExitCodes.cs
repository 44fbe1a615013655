namespace Yardmaster.Cli.Commands;

/// <summary>Process exit codes of every <c>yard</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The work failed (network, disk, a checksum mismatch).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong; nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Canceled = 130;
}
