namespace Yardmaster.Server.Backends;

/// <summary>
/// Which live server owns each cluster replica's job, among the servers sharing one data folder (the instances on one
/// PostgreSQL do): each holds an exclusive <c>flock</c> on <c>jobs/owners/ID.lock</c> for its lifetime and writes its
/// <see cref="Own"/> id in its replicas' records. The kernel releases the lock when the server dies, so a record whose
/// owner's lock can be taken belongs to a dead server. Taking it inherits that server's jobs: the lock is held until this
/// one ends, so no other server takes them too, and the next to start after this one dies does.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ReplicaOwnerLocks : IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly Dictionary<string, FileStream> _held = new(StringComparer.Ordinal);

    private ReplicaOwnerLocks(string directory, string own, FileStream stream)
    {
        _directory = directory;
        Own = own;
        _held[own] = stream;
    }

    /// <summary>This server's owner id (32 hex digits).</summary>
    public string Own { get; }

    /// <summary>Takes a new owner lock in <paramref name="jobsDirectory"/>'s <c>owners/</c> folder (created when missing).</summary>
    public static ReplicaOwnerLocks Take(string jobsDirectory)
    {
        var directory = Path.Combine(jobsDirectory, "owners");
        Directory.CreateDirectory(directory);
        var own = Guid.NewGuid().ToString("N");
        return new ReplicaOwnerLocks(directory, own, Open(Path.Combine(directory, own + ".lock")));
    }

    /// <summary>
    /// True when the jobs of <paramref name="owner"/> are this server's: its own, or those of a server that has died (its
    /// lock is taken now, and held). False while another live server holds it.
    /// </summary>
    public bool TryInherit(string owner)
    {
        if (owner.Length == 0 || !owner.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        lock (_lock)
        {
            if (_held.ContainsKey(owner))
            {
                return true;
            }

            try
            {
                _held[owner] = Open(Path.Combine(_directory, owner + ".lock"));
                return true;
            }
            catch (IOException)
            {
                return false; // held by a live server
            }
        }
    }

    /// <summary>Deletes the lock files of dead servers that no record names any longer (they would only accumulate).</summary>
    public void Prune(IReadOnlySet<string> named)
    {
        foreach (var file in Directory.EnumerateFiles(_directory, "*.lock"))
        {
            var owner = Path.GetFileNameWithoutExtension(file);
            if (named.Contains(owner))
            {
                continue;
            }

            lock (_lock)
            {
                if (_held.ContainsKey(owner))
                {
                    continue;
                }
            }

            try
            {
                using var dead = Open(file);
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // held by a live server, or gone already
            }
        }
    }

    /// <summary>Releases every lock held and deletes the files (the jobs they covered have been stopped, or a later server inherits them).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (owner, stream) in _held)
            {
                try
                {
                    File.Delete(Path.Combine(_directory, owner + ".lock"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // left behind: pruned by a later start
                }

                stream.Dispose();
            }

            _held.Clear();
        }
    }

    /// <summary>Opens <paramref name="path"/> with an exclusive <c>flock</c> (what <see cref="FileShare.None"/> is on Unix); throws <see cref="IOException"/> when another holds it.</summary>
    private static FileStream Open(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
}
