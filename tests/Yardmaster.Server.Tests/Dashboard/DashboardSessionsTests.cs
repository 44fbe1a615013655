using Yardmaster.Server.Dashboard;

namespace Yardmaster.Server.Tests.Dashboard;

/// <summary>Sessions expire after their lifetime, end at logout, are bounded, and are random; the login backoff grows, caps and resets.</summary>
public sealed class DashboardSessionsTests
{
    [Fact]
    public void IsValid_AfterLifetime_False()
    {
        var clock = new ManualClock();
        var sessions = new DashboardSessions(clock);
        var (id, expires) = sessions.Open();

        Assert.Equal(clock.GetUtcNow() + DashboardSessions.Lifetime, expires);
        clock.Advance(DashboardSessions.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(sessions.IsValid(id));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(sessions.IsValid(id));
    }

    [Fact]
    public void Close_OpenSession_NoLongerValidOthersKept()
    {
        var sessions = new DashboardSessions(new ManualClock());
        var (first, _) = sessions.Open();
        var (second, _) = sessions.Open();

        sessions.Close(first);

        Assert.False(sessions.IsValid(first));
        Assert.True(sessions.IsValid(second));
        Assert.NotEqual(first, second);
        Assert.True(first.Length >= 43, "32 random bytes, base64url");
    }

    [Fact]
    public void Open_PastTheBound_EndsTheOldest()
    {
        var clock = new ManualClock();
        var sessions = new DashboardSessions(clock);
        var ids = new List<string>();
        for (var i = 0; i <= DashboardSessions.MaxSessions; i++)
        {
            ids.Add(sessions.Open().Id);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.False(sessions.IsValid(ids[0]));
        Assert.All(ids.Skip(1), id => Assert.True(sessions.IsValid(id)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-session")]
    public void IsValid_UnknownId_False(string? id) => Assert.False(new DashboardSessions(new ManualClock()).IsValid(id));

    [Fact]
    public void Wait_AfterFreeFailures_DoublesUpToTheCapAndResetsOnSuccess()
    {
        var clock = new ManualClock();
        var backoff = new LoginBackoff(clock);
        for (var i = 0; i < LoginBackoff.FreeFailures; i++)
        {
            backoff.Failed();
            Assert.Equal(TimeSpan.Zero, backoff.Wait());
        }

        backoff.Failed();
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Wait());
        backoff.Failed();
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Wait());
        for (var i = 0; i < 20; i++)
        {
            backoff.Failed();
        }

        Assert.Equal(LoginBackoff.MaxDelay, backoff.Wait());
        clock.Advance(LoginBackoff.MaxDelay);
        Assert.Equal(TimeSpan.Zero, backoff.Wait());
        backoff.Succeeded();
        backoff.Failed();
        Assert.Equal(TimeSpan.Zero, backoff.Wait());
    }
}
