using Microsoft.Playwright;
using Yardmaster.Server.Tests.Gateway;

namespace Yardmaster.Server.Tests.Dashboard;

/// <summary>
/// A real gateway (a real model, a task with an SLO, the process executor) and Debian's chromium
/// (<c>/usr/bin/chromium</c>, headless) driven by Playwright; Playwright's driver is the node shipped in its
/// package, and no browser is ever downloaded. Screenshots go to <see cref="Artifacts"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>The browser the tests drive: the system's, never one Playwright would download.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private const string Config = """
        server: { port: 0 }
        devices: { cpu: { memory: 2GiB, cores: 4 } }
        models:
          - name: tiny
            path: stories260K.gguf
            context: 64
            replicas: { min: 0, max: 1 }
        tasks:
          - name: chat
            priority: high
            slo: { latency: 10s }
            models: [tiny]
        """;

    private readonly TempDirectory _data = new();
    private IPlaywright? _playwright;

    public GatewayHarness Gateway { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>
    /// Where screenshots go: <c>$YARD_TEST_ARTIFACTS/dashboard</c>, else <c>artifacts/dashboard</c> beside the test
    /// assembly (<c>tests/Yardmaster.Server.Tests/bin/Release/net10.0/artifacts/dashboard</c>).
    /// </summary>
    public static string Artifacts { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("YARD_TEST_ARTIFACTS") is { Length: > 0 } root ? root : Path.Combine(AppContext.BaseDirectory, "artifacts"),
        "dashboard");

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (./test does)");
        Directory.CreateDirectory(Artifacts);
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(30_000);
        Gateway = await GatewayHarness.StartAsync(Config, _data.Path);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    /// <summary>
    /// A fresh browser context (its own cookies) with the page at the dashboard, and the list the page's script
    /// errors and Content-Security-Policy violations are collected in from the first byte on.
    /// </summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> OpenAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = Gateway.Url.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) { errors.Add(error); } };
        page.Console += (_, message) =>
        {
            // A 401 before signing in is the page finding out it must ask for the token, and a 404 of /api/history a
            // server without a history store: answers the page expects, not errors of the page.
            var expected = message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)
                && (message.Text.Contains("401", StringComparison.Ordinal) || (message.Text.Contains("404", StringComparison.Ordinal) && message.Location.Contains("/api/history", StringComparison.Ordinal)));
            if (message.Type == "error" && !expected)
            {
                lock (errors)
                {
                    errors.Add($"{message.Text} ({message.Location})");
                }
            }
        };
        await page.GotoAsync("/");
        return (context, page, errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        _data.Dispose();
    }
}
