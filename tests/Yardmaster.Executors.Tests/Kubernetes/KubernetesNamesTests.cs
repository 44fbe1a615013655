using Yardmaster.Executors.Kubernetes;

namespace Yardmaster.Executors.Tests.Kubernetes;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("r42-prepare-1", "yard-r42-prepare-1")]
    [InlineData("abc", "yard-abc")]
    public void Job_IdThatIsALabelAlready_KeepsItPlain(string attemptId, string expected) =>
        Assert.Equal(expected, KubernetesNames.Job(attemptId));

    [Theory]
    [InlineData("r42.prepare.1")]
    [InlineData("R42_Prepare.1")]
    [InlineData("a-very-long-run-identifier-0123456789.a-very-long-step-name-abcdefghij.12")]
    public void Job_AnyAttemptId_IsADnsLabelOfAtMost63(string attemptId)
    {
        var name = KubernetesNames.Job(attemptId);

        Assert.InRange(name.Length, 1, 63);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.StartsWith("yard-", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Job_IdsThatMapToTheSameCharacters_GetDifferentNames()
    {
        Assert.NotEqual(KubernetesNames.Job("r1.a.1"), KubernetesNames.Job("r1-a-1"));
        Assert.NotEqual(KubernetesNames.Job("r1.a.1"), KubernetesNames.Job("R1.a.1"));
    }

    [Fact]
    public void LabelValue_ValidValue_IsItself() => Assert.Equal("r42.prepare_x-1", KubernetesNames.LabelValue("r42.prepare_x-1"));

    [Fact]
    public void LabelValue_TooLongOrBadEnds_ShortenedWithAHashAndValid()
    {
        var longId = new string('a', 70) + ".1";
        var shortened = KubernetesNames.LabelValue(longId);

        Assert.True(KubernetesNames.IsLabelValue(shortened));
        Assert.True(KubernetesNames.IsLabelValue(KubernetesNames.LabelValue("-starts-with-dash")));
        Assert.NotEqual(shortened, KubernetesNames.LabelValue(new string('a', 70) + ".2"));
    }
}
