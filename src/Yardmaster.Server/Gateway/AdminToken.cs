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

        var (token, created) = File.Exists(path) ? (await ReadAsync(path, cancellationToken).ConfigureAwait(false), false) : await CreateOrReadAsync(path, cancellationToken).ConfigureAwait(false);
        var hash = ApiKeys.Hash(token);
        if (await store.GetCredentialHashAsync(CredentialName, cancellationToken).ConfigureAwait(false) != hash)
        {
            await store.SetCredentialHashAsync(CredentialName, hash, cancellationToken).ConfigureAwait(false);
        }

        return (path, hash, created);
    }

    /// <summary>
    /// Creates the token file; when another server of the same data folder created it at the same moment (instances
    /// sharing a folder on PostgreSQL start together), uses that one's token. The token is written to a file of its
    /// own first and then linked into place, so that the file, once it exists, always holds a whole token.
    /// </summary>
    private static async Task<(string Token, bool Created)> CreateOrReadAsync(string path, CancellationToken cancellationToken)
    {
        var draft = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.new";
        try
        {
            var token = await WriteAsync(draft, cancellationToken).ConfigureAwait(false);
            try
            {
                // Without overwrite, a move on Unix is a link then an unlink: it fails when the name exists.
                File.Move(draft, path, overwrite: false);
                return (token, true);
            }
            catch (IOException) when (File.Exists(path))
            {
                return (await ReadAsync(path, cancellationToken).ConfigureAwait(false), false);
            }
        }
        finally
        {
            File.Delete(draft);
        }
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
