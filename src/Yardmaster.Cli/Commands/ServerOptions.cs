using System.CommandLine;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>--server</c>, <c>--api-key</c>, <c>--admin-key</c> and <c>--data</c>: where a running <c>yard serve</c> is and
/// how to authenticate to it, shared by every command that talks to one. Each command gets its own instances.
/// For a server on loopback without an admin key given, the admin key is read from <c>admin.token</c> in the data folder.
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

    private readonly Option<string?> _data;
    private readonly bool _ownsData;

    /// <summary>Options with their own <c>--data</c>, or sharing <paramref name="data"/> (the run commands' embedded data folder).</summary>
    public ServerOptions(Option<string?>? data = null)
    {
        _ownsData = data is null;
        _data = data ?? new Option<string?>("--data")
        {
            Description = $"Data folder of a 'yard serve' on this machine, whose {AdminTokenFile.FileName} is the admin key when none is given (default $YARD_HOME, else ~/.cache/yardmaster)",
        };
    }

    /// <summary>The <c>--server</c> option itself (run commands check whether it was given).</summary>
    public Option<string?> ServerOption => _server;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_apiKey);
        command.Options.Add(_adminKey);
        if (_ownsData)
        {
            command.Options.Add(_data);
        }
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

        var apiKey = Key(parse.GetValue(_apiKey), "--api-key") ?? Key(Environment.GetEnvironmentVariable(ApiKeyVariable), "$" + ApiKeyVariable);
        var adminKey = Key(parse.GetValue(_adminKey), "--admin-key") ?? Key(Environment.GetEnvironmentVariable(AdminKeyVariable), "$" + AdminKeyVariable);
        // Only a server on this machine can have written the token file; another host's must not be sent a local secret.
        var data = parse.GetValue(_data) ?? ServeCommand.DefaultDataDirectory();
        var tokenFile = adminKey is null && url.IsLoopback ? new Lazy<ServerKey?>(() => AdminTokenFile.Read(data, Console.Error)) : null;
        var tokenPath = url.IsLoopback ? AdminTokenFile.PathIn(data) : null;
        return (new ServerTarget(url, apiKey, adminKey, tokenFile, tokenPath), null);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ServerKey? Key(string? value, string source) => string.IsNullOrWhiteSpace(value) ? null : new ServerKey(value.Trim(), source);
}
