namespace Yardmaster.Runtime.Tests.Serving;

/// <summary>Waiting in tests for what the scheduler does off the caller's thread (loads, unloads, continuations).</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every millisecond for up to 5,000 polls; fails the test if it never holds.</summary>
    public static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 5000 && !condition(); i++)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        Assert.True(condition(), "the condition did not become true");
    }
}
