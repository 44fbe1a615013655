namespace Yardmaster.Cli.Commands;

/// <summary>A running <c>yard serve</c> and the keys for it.</summary>
/// <param name="Url">The server's base URL, as given (e.g. <c>http://127.0.0.1:8080</c>).</param>
/// <param name="ApiKey">Sent on <c>/v1</c> (and on <c>/api</c> when there is no admin key); null sends none.</param>
/// <param name="AdminKey">Sent on <c>/api</c> (and on <c>/v1</c> when there is no API key); null sends none.</param>
internal sealed record ServerTarget(Uri Url, string? ApiKey, string? AdminKey)
{
    /// <summary>The key for a path: the admin key first on <c>/api</c>, the API key first elsewhere.</summary>
    public string? KeyFor(bool admin) => admin ? AdminKey ?? ApiKey : ApiKey ?? AdminKey;

    /// <summary><paramref name="path"/> (relative, no leading slash) under the base URL, keeping any path prefix of it.</summary>
    public Uri Resolve(string path) => new(new Uri(Url.AbsoluteUri.TrimEnd('/') + "/"), path);

    /// <summary>The URL as people write it, without a trailing slash.</summary>
    public string Display => Url.AbsoluteUri.TrimEnd('/');
}
