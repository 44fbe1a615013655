namespace Yardmaster.Core.Runs;

/// <summary>
/// The run store could not write (a full disk, an I/O error, a lost database): nothing of that write was stored.
/// The message is for users: what failed, where, and what to do (<c>the store could not write: disk full at
/// /data; free space and retry</c>). Servers answer it with 507 Insufficient Storage.
/// </summary>
public sealed class StoreWriteException : IOException
{
    /// <summary>The errno of "no space left on device" on Linux (and what .NET puts in an <see cref="IOException"/>'s HResult there).</summary>
    private const int NoSpace = 28;

    /// <summary>Creates the exception with the message.</summary>
    public StoreWriteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public StoreWriteException()
        : base("the store could not write")
    {
    }

    /// <summary>Creates the exception with the message and its cause.</summary>
    public StoreWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when <paramref name="exception"/> (or one it wraps) is an I/O error for a full disk (ENOSPC).</summary>
    public static bool IsDiskFull(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException io && (io.HResult & 0xFFFF) == NoSpace)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exception to raise for a failed write at <paramref name="path"/> (a file or folder of the store).</summary>
    public static StoreWriteException For(Exception exception, string path, bool diskFull)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is StoreWriteException known)
        {
            return known;
        }

        return diskFull || IsDiskFull(exception)
            ? new StoreWriteException($"the store could not write: disk full at {path}; free space and retry", exception)
            : new StoreWriteException($"the store could not write at {path}: {exception.Message}", exception);
    }
}
