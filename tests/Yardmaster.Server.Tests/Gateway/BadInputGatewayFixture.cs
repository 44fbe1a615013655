namespace Yardmaster.Server.Tests.Gateway;

/// <summary>
/// A gateway closed as it will be deployed (an admin key on <c>/api</c>, sent by the harness's client on every
/// call) serving one small builtin model through the task <c>chat</c>: the target of the bad-input corpus and
/// of the random-body property test.
/// </summary>
public sealed class BadInputGatewayFixture : GatewayFixture
{
    public const string AdminKey = "bad-input-admin-key";

    protected override string? Key => AdminKey;

    protected override string Yaml => $$"""
        server: { port: 0 }
        auth:
          admin_keys: [{{AdminKey}}]
        models:
          - { name: stories, path: stories260K.gguf, slots: 2, context: 128 }
        tasks:
          - { name: chat, models: [stories] }
        """;
}
