using System.Collections;
using System.Runtime.InteropServices;

namespace Yardmaster.Executors.Process;

/// <summary>
/// Starts <c>/bin/sh -c &lt;script&gt;</c> with <c>posix_spawn</c>: in its own process group, in a working directory,
/// stdin from <c>/dev/null</c>, stdout and stderr appended to a log, signal dispositions and mask reset (the
/// runtime ignores SIGPIPE, which a child would otherwise inherit). Thread-safe (no shared state).
/// </summary>
internal static unsafe class ShellSpawner
{
    /// <summary>Spawns it; returns the pid, or the errno (negated) when <c>posix_spawn</c> failed.</summary>
    /// <param name="script">The <c>-c</c> script.</param>
    /// <param name="arguments">Its positional parameters <c>$1</c>... (passed as words, never pasted into the script).</param>
    /// <param name="environment">The complete environment of the child.</param>
    /// <param name="workingDirectory">Its working directory.</param>
    /// <param name="logPath">The file stdout and stderr are appended to (created 0644 when absent).</param>
    public static int Spawn(string script, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory, string logPath)
    {
        var argv = new List<string>(arguments.Count + 4) { "/bin/sh", "-c", script, "yard-step" };
        argv.AddRange(arguments);
        using var args = new NativeStrings(argv);
        using var env = new NativeStrings(environment);
        using var paths = new NativeStrings(["/dev/null", logPath, workingDirectory]);

        var actions = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var attr = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var signals = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        try
        {
            Check(LibC.posix_spawn_file_actions_init(actions));
            Check(LibC.posix_spawnattr_init(attr));
            try
            {
                Check(LibC.posix_spawn_file_actions_addopen(actions, 0, paths[0], LibC.O_RDONLY, 0));
                Check(LibC.posix_spawn_file_actions_addopen(actions, 1, paths[1], LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0b110_100_100));
                Check(LibC.posix_spawn_file_actions_adddup2(actions, 1, 2));
                Check(LibC.posix_spawn_file_actions_addchdir_np(actions, paths[2]));
                Check(LibC.posix_spawnattr_setflags(attr, LibC.POSIX_SPAWN_SETPGROUP | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK));
                Check(LibC.posix_spawnattr_setpgroup(attr, 0));
                Check(LibC.sigfillset(signals));
                Check(LibC.posix_spawnattr_setsigdefault(attr, signals));
                Check(LibC.sigemptyset(signals));
                Check(LibC.posix_spawnattr_setsigmask(attr, signals));
                var error = LibC.posix_spawn(out var pid, args[0], actions, attr, args.Pointer, env.Pointer);
                return error == 0 ? pid : -error;
            }
            finally
            {
                _ = LibC.posix_spawnattr_destroy(attr);
                _ = LibC.posix_spawn_file_actions_destroy(actions);
            }
        }
        finally
        {
            NativeMemory.Free(signals);
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
        }
    }

    /// <summary>The scheduler's environment with <paramref name="overrides"/> on top, as <c>NAME=value</c> entries.</summary>
    /// <remarks>The scheduler's own environment is read once (it does not change while it runs; re-reading it cost a dictionary per step).</remarks>
    public static List<string> Environment(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var own = s_own.Value;
        var replaced = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            replaced[name] = value;
        }

        var entries = new List<string>(own.Count + replaced.Count);
        foreach (var (name, entry) in own)
        {
            if (!replaced.ContainsKey(name))
            {
                entries.Add(entry);
            }
        }

        foreach (var (name, value) in replaced)
        {
            entries.Add(name + "=" + value);
        }

        return entries;
    }

    private static readonly Lazy<List<(string Name, string Entry)>> s_own = new(() =>
    {
        var own = new List<(string, string)>();
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            own.Add(((string)entry.Key, (string)entry.Key + "=" + ((string?)entry.Value ?? string.Empty)));
        }

        return own;
    });

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"posix_spawn set-up failed with errno {error}");
        }
    }
}
