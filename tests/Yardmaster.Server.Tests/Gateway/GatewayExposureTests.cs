using System.Net;
using Yardmaster.Runtime.Configuration;
using Yardmaster.Server.Gateway;
using static Yardmaster.Server.Tests.Gateway.GatewayResponses;

namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// What may start where: a bind other machines can reach needs keys (or --insecure-no-auth for /v1 only); user
/// keys never open /api; the generated admin token survives restarts and is replaced when others could read it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GatewayExposureTests
{
    private const string Models = """
        models:
          - { name: stories, path: stories260K.gguf, slots: 2, context: 64 }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_NonLoopbackWithoutKeys_RefusedNamingWhatToConfigure()
    {
        using var data = new TempDirectory();
        var loaded = YardConfigLoader.LoadText("server: { host: 0.0.0.0, port: 0 }\n" + Models, "exposed.yaml", SharedModels.Directory);
        await using var app = new GatewayApp(new GatewayOptions { Config = loaded.Config!, DataDirectory = data.Path });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync(Ct));

        Assert.Contains("0.0.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("auth.admin_keys", e.Message, StringComparison.Ordinal);
        Assert.Contains("auth.api_keys", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "yard.db")), "a refused start opened the store");
    }

    [Fact]
    public async Task Start_NonLoopbackWithKeys_ServesOnlyWithKeys()
    {
        using var data = new TempDirectory();
        var yaml = "server: { host: 0.0.0.0, port: 0 }\nauth: { api_keys: [user-key-0123], admin_keys: [admin-key-0123] }\n" + Models;
        await using var gateway = await GatewayHarness.StartAsync(yaml, data.Path, "admin-key-0123");
        Assert.Null(gateway.AdminToken);

        using var anonymous = gateway.Client(null);
        using (var refused = await anonymous.GetAsync("/v1/models", Ct))
        {
            await AssertOpenAiErrorAsync(refused, HttpStatusCode.Unauthorized);
        }

        using var user = gateway.Client("user-key-0123");
        using (var forbidden = await user.GetAsync("/api/tasks", Ct))
        {
            await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        }

        // Not a loopback bind: any Host is answered (the keys guard it).
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tasks") { Headers = { Host = "yard.internal.example" } };
        using var served = await gateway.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Start_InsecureNoAuth_OpensV1NeverApi()
    {
        using var data = new TempDirectory();
        var yaml = "server: { host: 0.0.0.0, port: 0 }\nauth: { admin_keys: [admin-key-0123] }\n" + Models;
        await using var gateway = await GatewayHarness.StartAsync(yaml, data.Path, insecureNoAuth: true);

        using var anonymous = gateway.Client(null);
        using (var models = await anonymous.GetAsync("/v1/models", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        }

        using var refused = await anonymous.GetAsync("/api/tasks", Ct);
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Api_OnlyUserKeysConfigured_StillNeedsTheAdminToken()
    {
        using var data = new TempDirectory();
        var yaml = "server: { port: 0 }\nauth: { api_keys: [user-key-0123] }\n" + Models;
        await using var gateway = await GatewayHarness.StartAsync(yaml, data.Path);
        Assert.NotNull(gateway.AdminToken);

        using var user = gateway.Client("user-key-0123");
        using (var forbidden = await user.GetAsync("/api/runs", Ct))
        {
            await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        }

        using var admin = gateway.Client(gateway.AdminToken);
        using var served = await admin.GetAsync("/api/runs", Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task AdminToken_Restarted_KeptUntilOthersCouldReadIt()
    {
        using var data = new TempDirectory();
        var yaml = "server: { port: 0 }\n" + Models;
        string first;
        await using (var gateway = await GatewayHarness.StartAsync(yaml, data.Path))
        {
            first = gateway.AdminToken!;
            Assert.True(gateway.App.AdminTokenCreated);
        }

        await using (var restarted = await GatewayHarness.StartAsync(yaml, data.Path))
        {
            Assert.Equal(first, restarted.AdminToken);
            Assert.False(restarted.App.AdminTokenCreated);
        }

        var file = Path.Combine(data.Path, "admin.token");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var replaced = await GatewayHarness.StartAsync(yaml, data.Path);
        Assert.NotEqual(first, replaced.AdminToken);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var old = replaced.Client(first);
        using var refused = await old.GetAsync("/api/tasks", Ct);
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
    }
}
