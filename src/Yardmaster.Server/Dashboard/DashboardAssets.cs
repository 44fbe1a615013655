using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Yardmaster.Server.Dashboard;

/// <summary>
/// The dashboard's page, script and style sheet, built into this assembly (<c>Dashboard/wwwroot</c>) and served
/// from memory with no authentication: they hold no data, the data comes from <c>/api/*</c>, which needs the
/// session cookie or the admin key. Every answer carries a strict Content-Security-Policy (only this origin's
/// scripts, styles and connections; no inline script; no framing), <c>nosniff</c> and <c>X-Frame-Options: DENY</c>.
/// </summary>
/// <remarks>Thread-safe (immutable after construction).</remarks>
internal sealed class DashboardAssets
{
    /// <summary>The policy of every dashboard answer.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> _types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, (byte[] Bytes, string Type, string ETag)> _files;

    /// <summary>Reads the embedded files once.</summary>
    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var bytes = Read(assembly, name);
            var type = _types.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            files[name[Prefix.Length..]] = (bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The names of the files served (under <c>/dashboard/</c>; <c>index.html</c> also at <c>/</c>).</summary>
    public IEnumerable<string> Names => _files.Keys;

    /// <summary>Maps <c>GET /</c> and <c>GET /dashboard/{file}</c>.</summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpContext http) => WriteAsync(http, "index.html"));
        routes.MapGet("/dashboard/{file}", (HttpContext http, string file) => WriteAsync(http, file));
    }

    /// <summary>The security headers of every dashboard answer (page, assets, login and logout).</summary>
    public static void Secure(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private Task WriteAsync(HttpContext http, string file)
    {
        var response = http.Response;
        Secure(response);
        if (!_files.TryGetValue(file, out var asset))
        {
            return Gateway.Problem.WriteAsync(response, 404, $"no dashboard file '{file}'");
        }

        // Revalidated at each load (the files change with the server's version), answered 304 while unchanged.
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = 304;
            return Task.CompletedTask;
        }

        response.ContentType = asset.Type;
        response.ContentLength = asset.Bytes.Length;
        return response.Body.WriteAsync(asset.Bytes, http.RequestAborted).AsTask();
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
