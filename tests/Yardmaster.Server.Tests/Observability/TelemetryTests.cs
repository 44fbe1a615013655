using Yardmaster.Server.Observability;

namespace Yardmaster.Server.Tests.Observability;

public sealed class TelemetryTests
{
    [Theory]
    [InlineData("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces")]
    [InlineData("http://127.0.0.1:4318/", "http://127.0.0.1:4318/v1/traces")]
    [InlineData("http://collector:4318/otlp", "http://collector:4318/otlp/v1/traces")]
    [InlineData("http://collector:4318/v1/traces", "http://collector:4318/v1/traces")]
    public void TracesUrl_Endpoint_V1TracesOnce(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), Telemetry.TracesUrl(new Uri(endpoint)));
}
