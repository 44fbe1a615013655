namespace Yardmaster.Cli.Commands;

/// <summary>A running <c>yard serve</c> and the keys for it.</summary>
/// <param name="Url">The server's base URL, as given (e.g. <c>http://127.0.0.1:8080</c>).</param>
/// <param name="ApiKey">From <c>--api-key</c> or <c>$YARD_API_KEY</c>: sent on <c>/v1</c> (and on <c>/api</c> when there is no admin key); null sends none.</param>
/// <param name="AdminKey">From <c>--admin-key</c> or <c>$YARD_ADMIN_KEY</c>: sent on <c>/api</c> (and on <c>/v1</c> when there is no API key); null sends none.</param>
/// <param name="TokenFile">The admin key of a server on this machine, read from its token file on first use when neither admin option is given; null when the server is not on loopback.</param>
/// <param name="TokenPath">Where that token file is (for messages); null when the server is not on loopback.</param>
internal sealed record ServerTarget(Uri Url, ServerKey? ApiKey, ServerKey? AdminKey, Lazy<ServerKey?>? TokenFile = null, string? TokenPath = null)
{
    /// <summary>
    /// The key for a path: on <c>/api</c> the admin key, else the token file's, else the API key; elsewhere
    /// (<c>/v1</c>) the API key, else the admin key, else the token file's (admin keys are accepted on <c>/v1</c>).
    /// </summary>
    public ServerKey? KeyFor(bool admin) => admin
        ? AdminKey ?? TokenFile?.Value ?? ApiKey
        : ApiKey ?? AdminKey ?? TokenFile?.Value;

    /// <summary><paramref name="path"/> (relative, no leading slash) under the base URL, keeping any path prefix of it.</summary>
    public Uri Resolve(string path) => new(new Uri(Url.AbsoluteUri.TrimEnd('/') + "/"), path);

    /// <summary>The URL as people write it, without a trailing slash.</summary>
    public string Display => Url.AbsoluteUri.TrimEnd('/');
}
