using Yardmaster.Core.Pipelines;

namespace Yardmaster.Core.Tests.Pipelines;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox")]
    [InlineData("yard/busybox:local")]
    [InlineData("ubuntu:22.04")]
    [InlineData("localhost:5000/team/app_1:v1.2-rc")]
    [InlineData("ghcr.io/org/some-image__x:latest")]
    [InlineData("alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void IsValid_DockerReference_True(string image) => Assert.True(ImageReference.IsValid(image));

    [Theory]
    [InlineData("")]
    [InlineData("yard/busybox:local?x=1")]
    [InlineData("yard/busybox:local#frag")]
    [InlineData("x/../../containers/abc")]
    [InlineData("busybox:local/json?")]
    [InlineData("Yard/Busybox")]
    [InlineData("busybox:")]
    [InlineData("a b")]
    [InlineData("busybox%2F")]
    public void IsValid_NotAReference_False(string image) => Assert.False(ImageReference.IsValid(image));
}
