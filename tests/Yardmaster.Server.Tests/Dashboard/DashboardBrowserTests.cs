using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Yardmaster.Server.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser against a real server: the login refuses a wrong token; once signed in, the
/// runs view shows a real run's steps turn green as they finish, a request's latency appears in the tasks chart,
/// the load and unload buttons change the replica's state; a screenshot of each view at 1280×800 and 390×844.
/// </summary>
public sealed class DashboardBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Pipeline = """
        name: three-steps
        steps:
          - id: first
            run: sleep 0.3; echo first done
          - id: second
            needs: [first]
            run: sleep 0.3; echo second done
          - id: third
            needs: [second]
            run: sleep 4; echo third done
        """;

    private const string Long = """
        name: long
        steps:
          - id: forever
            run: sleep 120
        """;

    private static readonly string[] _views = ["tasks", "models", "nodes", "runs", "scheduler"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_WrongToken_FormSaysRefusedAndNoCookie()
    {
        var (context, page, errors) = await fixture.OpenAsync();
        await using var _ = context;
        await page.Locator("#login").WaitForAsync();

        await page.FillAsync("#token", "not-the-admin-token");
        await page.ClickAsync("#login-form button[type=submit]");

        await Expect(page.Locator("#login-error")).ToContainTextAsync("Wrong token");
        Assert.True(await page.Locator("#app").IsHiddenAsync());
        Assert.Empty(await context.CookiesAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Artifacts, "login-refused-1280x800.png") });
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public async Task Dashboard_RealRunRequestAndModel_ViewsFollowThem()
    {
        var (context, page, errors) = await fixture.OpenAsync();
        await using var _ = context;
        try
        {
            await FollowAsync(context, page);
            lock (errors)
            {
                Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors)); // no script error, no Content-Security-Policy violation
            }
        }
        catch
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Artifacts, "failure.png"), FullPage = true });
            throw;
        }
    }

    private async Task FollowAsync(IBrowserContext context, IPage page)
    {
        await LoginAsync(page);
        var cookie = Assert.Single(await context.CookiesAsync());
        Assert.Equal("yard_session", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.NotEqual(fixture.Gateway.AdminToken, cookie.Value);

        // Tasks: a request to /v1 makes its latency appear in the live chart.
        await Expect(page.Locator("#chart-live-latency")).ToContainTextAsync("no request answered yet");
        var chat = await fixture.Gateway.PostAsync("/v1/chat/completions", new { model = "chat", messages = new[] { new { role = "user", content = "Once" } }, max_tokens = 4 });
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        chat.Dispose();
        var point = page.Locator("#chart-live-latency circle.point").First;
        await point.WaitForAsync();
        Assert.True(double.Parse((await point.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        await Expect(page.Locator("#task-table tr[data-task=chat]")).ToContainTextAsync("100.0%");

        // Models: the request loaded the model; unload and load it from the page.
        await page.ClickAsync("#nav a[data-view=models]");
        var card = page.Locator("#model-list article[data-model=tiny]");
        await card.Locator(".replica[data-state=ready]").WaitForAsync();
        await card.Locator("button.unload").ClickAsync();
        await card.Locator(".replica[data-replica=none]").WaitForAsync();
        Assert.Empty(await fixture.Gateway.ReplicaStatesAsync("tiny"));
        await page.Locator("#timeline li[data-kind=unloaded]").First.WaitForAsync();
        await card.Locator("button.load").ClickAsync();
        await card.Locator(".replica[data-state=ready]").WaitForAsync();
        Assert.Equal(["ready"], await fixture.Gateway.ReplicaStatesAsync("tiny"));
        await Expect(page.Locator("#devices")).ToContainTextAsync("memory on cpu");

        // Runs: a real three-step run; each step turns green as it finishes, the third still running.
        var run = await SubmitAsync(Pipeline, "three-steps.yaml");
        await page.ClickAsync("#nav a[data-view=runs]");
        await page.ClickAsync($"#run-list button[data-run={run}]");
        var first = page.Locator($"#run-detail g.step[data-step=first]");
        await page.Locator("#run-detail g.step[data-step=second][data-state=succeeded]").WaitForAsync();
        var third = await page.Locator("#run-detail g.step[data-step=third]").GetAttributeAsync("data-state");
        Assert.NotEqual("succeeded", third); // green came step by step, not all at the end
        Assert.Equal("succeeded", await first.GetAttributeAsync("data-state"));
        // The view re-renders as the run changes: a one-shot read may hit a node just replaced (fill ""); the assertion retries.
        await Expect(first.Locator("rect")).ToHaveCSSAsync("fill", "rgb(31, 157, 85)");
        await page.Locator("#run-detail g.step[data-step=third][data-state=succeeded]").WaitForAsync();
        await Expect(page.Locator("#run-detail [data-run-state]")).ToHaveAttributeAsync("data-run-state", "succeeded");
        await page.Locator("#run-detail g.step[data-step=third]").ClickAsync();
        await Expect(page.Locator("#step-log[data-step=third]")).ToContainTextAsync("third done");
        Assert.Equal(3, await page.Locator("#run-detail table.attempts tbody tr").CountAsync());
        Assert.Equal(2, await page.Locator("#run-detail path.edge").CountAsync()); // first → second → third, from the steps' needs

        // Cancel and retry a run from the page; the nodes view shows what its step holds meanwhile.
        var held = await SubmitAsync(Long, "long.yaml");
        await page.ClickAsync("#nav a[data-view=nodes]");
        await page.Locator($"#node-list tr[data-owner='{held}/forever']").WaitForAsync();
        await page.Locator("#node-list tr[data-owner='tiny#0'][data-kind=replica]").WaitForAsync();
        await ScreenshotsAsync(page, "1280x800");

        await page.ClickAsync("#nav a[data-view=runs]");
        await page.ClickAsync($"#run-list button[data-run={held}]");
        await page.Locator("#run-detail g.step[data-step=forever][data-state=running]").WaitForAsync();
        await page.Locator("#run-detail button.cancel").ClickAsync();
        await Expect(page.Locator("#run-detail [data-run-state]")).ToHaveAttributeAsync("data-run-state", "cancelled", new() { Timeout = 30_000 });
        await page.Locator("#run-detail button.retry").ClickAsync();
        await page.Locator("#run-detail g.step[data-step=forever][data-state=running]").WaitForAsync();
        await page.Locator("#run-detail button.cancel").ClickAsync();
        await Expect(page.Locator("#run-detail [data-run-state]")).ToHaveAttributeAsync("data-run-state", "cancelled", new() { Timeout = 30_000 });

        // A change of the scheduler settings by hand shows in the scheduler view, with the change listed.
        using (var put = await fixture.Gateway.Http.PutAsJsonAsync("/api/scheduler", new { max_wait = new { batch = "20m" } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await page.ClickAsync("#nav a[data-view=scheduler]");
        await Expect(page.Locator("#scheduler-settings tr[data-setting=max_wait]")).ToContainTextAsync("batch 20m");
        await Expect(page.Locator("#adapt-status")).ToContainTextAsync("scheduler.adapt is off");
        var change = page.Locator("#adaptation-list tr[data-adaptation='1']");
        await Expect(change).ToContainTextAsync("-> 20m");
        await Expect(change).ToHaveAttributeAsync("data-status", "applied");
        await Expect(change).ToContainTextAsync("api");

        // The same views on a phone-sized screen.
        await page.SetViewportSizeAsync(390, 844);
        await ScreenshotsAsync(page, "390x844");
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width} px wide on a 390 px screen");
    }

    private async Task LoginAsync(IPage page)
    {
        await page.Locator("#login").WaitForAsync();
        await page.FillAsync("#token", fixture.Gateway.AdminToken!);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.Locator("#app").WaitForAsync();
    }

    private async Task<string> SubmitAsync(string yaml, string file)
    {
        using var response = await fixture.Gateway.PostAsync("/api/runs", new { yaml, file });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
    }

    private static async Task ScreenshotsAsync(IPage page, string size)
    {
        foreach (var view in _views)
        {
            await page.ClickAsync($"#nav a[data-view={view}]");
            await page.Locator($"#view-{view}").WaitForAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.startsWith('updated')");
            var path = Path.Combine(BrowserFixture.Artifacts, $"{view}-{size}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            Assert.True(new FileInfo(path).Length > 1000, $"{path} is empty");
        }
    }
}
