using System.Security.Cryptography;
using Yardmaster.Core.Registry;

namespace Yardmaster.Server.Gateway;

/// <summary>
/// The admin token <c>yard serve</c> makes for itself when the config names no admin key, so that <c>/api</c>
/// is never open: 32 random bytes as hex in <c>DATA/admin.token</c>, created with mode 0600 (owner only), and
/// only its SHA-256 in the store. The same file is found again at every start (delete it to make a new token);
/// the <c>yard</c> CLI of the same user on the same machine reads it from there. A file whose mode lets anyone
/// but its owner read or write it is replaced by a new token.
/// </summary>
internal static class AdminToken
{
    /// <summary>The token file's name in the data folder.</summary>
    public const string FileName = "admin.token";

    /// <summary>The name of its hash among the store's credentials.</summary>
    public const string CredentialName = "admin-token";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>How long a start waits for another's token to be written whole before taking the file as it is.</summary>
    private static readonly TimeSpan _wholeWait = TimeSpan.FromSeconds(5);

    /// <summary>Reads the token file, or creates it when missing, and records its hash in the store.</summary>
    /// <returns>The file, the token's hash, and whether this start created it.</returns>
    /// <exception cref="InvalidDataException">The file exists but holds no usable token (the message says to delete it).</exception>
    /// <exception cref="IOException">The file cannot be read or written.</exception>
    public static async Task<(string Path, string Hash, bool Created)> EnsureAsync(string dataDirectory, IRegistryStore store, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, FileName);
        Directory.CreateDirectory(dataDirectory);
        if (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            // Someone widened it: others may have read the token, so it is replaced rather than served.
            File.Delete(path);
        }

        var (token, created) = File.Exists(path) ? (await ReadWholeAsync(path, cancellationToken).ConfigureAwait(false), false) : await CreateOrReadAsync(path, cancellationToken).ConfigureAwait(false);
        var hash = ApiKeys.Hash(token);
        if (await store.GetCredentialHashAsync(CredentialName, cancellationToken).ConfigureAwait(false) != hash)
        {
            await store.SetCredentialHashAsync(CredentialName, hash, cancellationToken).ConfigureAwait(false);
        }

        return (path, hash, created);
    }

    /// <summary>
    /// Creates the token file; when another server of the same data folder created it at the same moment (instances
    /// sharing a folder on PostgreSQL start together), uses that one's token. The file is created exclusively
    /// (<c>O_CREAT|O_EXCL</c>: exactly one creator, whatever the file system does with links and renames), so a reader
    /// can find it before its one line is written: it reads again until the line is whole, for up to
    /// <see cref="_wholeWait"/>.
    /// </summary>
    private static async Task<(string Token, bool Created)> CreateOrReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await WriteAsync(path, cancellationToken).ConfigureAwait(false), true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return (await ReadWholeAsync(path, cancellationToken).ConfigureAwait(false), false);
        }
    }

    /// <summary>Reads the token another start is writing: again every 10 ms until it is a whole line, then as <see cref="ReadAsync"/>.</summary>
    private static async Task<string> ReadWholeAsync(string path, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < _wholeWait)
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            if (text.EndsWith('\n') || (text.Length == 64 && text.All(char.IsAsciiHexDigitLower)))
            {
                break;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return await ReadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> WriteAsync(string path, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        // CreateNew with the mode given at open: the file never exists with wider permissions.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        await using (var file = new FileStream(path, options))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync(token.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        return token;
    }

    private static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var token = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        if (token.Length < 32 || token.Any(char.IsWhiteSpace))
        {
            throw new InvalidDataException($"{path} does not hold an admin token (one line of at least 32 characters); delete it and start again to make a new one");
        }

        return token;
    }
}
