using System.CommandLine;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>--server</c>, <c>--api-key</c> and <c>--admin-key</c>: where a running <c>yard serve</c> is and how to
/// authenticate to it, shared by every command that talks to one. Each command gets its own instances.
/// </summary>
internal sealed class ServerOptions
{
    /// <summary>The server used when neither <c>--server</c> nor <c>YARD_SERVER</c> says otherwise.</summary>
    public const string DefaultServer = "http://127.0.0.1:8080";

    public const string ServerVariable = "YARD_SERVER";
    public const string ApiKeyVariable = "YARD_API_KEY";
    public const string AdminKeyVariable = "YARD_ADMIN_KEY";

    private readonly Option<string?> _server = new("--server")
    {
        Description = $"URL of a running 'yard serve' (default ${ServerVariable}, else {DefaultServer})",
    };

    private readonly Option<string?> _apiKey = new("--api-key")
    {
        Description = $"Key sent as 'Authorization: Bearer' to /v1 and /api (default ${ApiKeyVariable})",
    };

    private readonly Option<string?> _adminKey = new("--admin-key")
    {
        Description = $"Key sent to the management API /api instead of --api-key (default ${AdminKeyVariable})",
    };

    /// <summary>The <c>--server</c> option itself (run commands check whether it was given).</summary>
    public Option<string?> ServerOption => _server;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_apiKey);
        command.Options.Add(_adminKey);
    }

    /// <summary>The target the command line and the environment name, or a usage error (a bad URL).</summary>
    public (ServerTarget? Target, string? Error) Resolve(ParseResult parse)
    {
        var flag = parse.GetValue(_server);
        var fromEnvironment = NonEmpty(Environment.GetEnvironmentVariable(ServerVariable));
        var text = flag ?? fromEnvironment ?? DefaultServer;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            var source = flag is not null ? "--server" : ServerVariable;
            return (null, $"{source}: '{text}' is not an absolute http(s) URL");
        }

        var apiKey = NonEmpty(parse.GetValue(_apiKey)) ?? NonEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable));
        var adminKey = NonEmpty(parse.GetValue(_adminKey)) ?? NonEmpty(Environment.GetEnvironmentVariable(AdminKeyVariable));
        return (new ServerTarget(url, apiKey, adminKey), null);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
