using System.Runtime.InteropServices;

namespace Yardmaster.Inference.Gguf;

/// <summary>The libc calls the mapping uses.</summary>
internal static partial class NativeMethods
{
    /// <summary>MADV_WILLNEED: read ahead the range into the page cache.</summary>
    public const int MadviseWillNeed = 3;

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);
}
