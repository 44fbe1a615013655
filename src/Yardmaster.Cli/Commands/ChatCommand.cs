using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// <c>yard chat TASK "prompt"</c>: one streamed chat completion through a running server's gateway,
/// printed as it arrives; which model served it and how fast goes to standard error at the end.
/// </summary>
internal static class ChatCommand
{
    /// <summary>Keeps quotes and non-ASCII text readable in <c>--output json</c>: the answer is text for people too.</summary>
    private static readonly JsonSerializerOptions _json = Core.ReadableJson.Serializer;

    public static Command Create()
    {
        var server = new ServerOptions();
        var format = OutputOption.Create();
        var task = new Argument<string>("task") { Description = "The task (or model) to send the request to; 'yard tasks' lists them" };
        var prompt = new Argument<string>("prompt") { Description = "The user message; - reads it from standard input" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate", DefaultValueFactory = _ => 128 };
        maxTokens.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max-tokens must be at least 1");
            }
        });
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature, 0 (greedy) to 2 (default: the server's)" };
        temperature.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } t && (t < 0 || t > 2 || double.IsNaN(t)))
            {
                r.AddError("--temperature must be between 0 and 2");
            }
        });
        var system = new Option<string?>("--system") { Description = "A system message sent before the prompt" };
        var command = new Command("chat", "Send a prompt to a task of a running server and stream the answer.")
        {
            task, prompt, maxTokens, temperature, system, format,
        };
        server.AddTo(command);
        command.SetAction((parse, ct) => ServerCall.RunAsync(parse, server, async (client, token) =>
        {
            var text = parse.GetRequiredValue(prompt);
            if (text == "-")
            {
                text = await Console.In.ReadToEndAsync(token).ConfigureAwait(false);
            }

            var body = Body(parse.GetRequiredValue(task), text, parse.GetValue(system), parse.GetValue(maxTokens), parse.GetValue(temperature));
            var json = parse.GetValue(format) == OutputFormat.Json;
            return await RunAsync(client, body, json, token).ConfigureAwait(false);
        }, ct));
        return command;
    }

    private static JsonObject Body(string task, string prompt, string? system, int maxTokens, double? temperature)
    {
        var messages = new JsonArray();
        if (!string.IsNullOrEmpty(system))
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        messages.Add(new JsonObject { ["role"] = "user", ["content"] = prompt });
        var body = new JsonObject
        {
            ["model"] = task,
            ["messages"] = messages,
            ["max_tokens"] = maxTokens,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (temperature is { } t)
        {
            body["temperature"] = t;
        }

        return body;
    }

    private static async Task<int> RunAsync(YardApiClient client, JsonObject body, bool json, CancellationToken cancellationToken)
    {
        var task = (string)body["model"]!;
        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("v1/chat/completions", UriKind.Relative)) { Content = JsonContent.Create(body) };
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var model = response.Headers.TryGetValues("X-Yard-Model", out var served) ? served.First() : null;

        TimeSpan? ttft = null;
        var answer = await ChatStream.ReadAsync(response, delta =>
        {
            ttft ??= clock.GetElapsedTime(started);
            if (!json)
            {
                Console.Out.Write(delta);
            }
        }, cancellationToken).ConfigureAwait(false);
        var latency = clock.GetElapsedTime(started);
        model ??= answer.Model;

        if (!json && answer.Text.Length > 0 && !answer.Text.EndsWith('\n'))
        {
            Console.Out.WriteLine();
        }

        if (answer.Error is { } error)
        {
            await Console.Error.WriteLineAsync($"error: the answer from {model ?? task} broke off: {error}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (json)
        {
            var result = new JsonObject
            {
                ["task"] = task,
                ["model"] = model,
                ["text"] = answer.Text,
                ["usage"] = answer.Usage,
                ["ttft_ms"] = ttft is { } t ? Math.Round(t.TotalMilliseconds, 1) : null,
                ["latency_ms"] = Math.Round(latency.TotalMilliseconds, 1),
            };
            if (answer.Usage is null)
            {
                result.Remove("usage");
            }

            Console.Out.WriteLine(result.ToJsonString(_json));
            return ExitCodes.Ok;
        }

        var tokens = answer.Usage?["completion_tokens"] is { } n ? $", {n} tokens" : string.Empty;
        var first = ttft is { } f ? string.Create(CultureInfo.InvariantCulture, $"first token {f.TotalMilliseconds:0} ms, ") : string.Empty;
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"[{model ?? "unknown model"} for task {task}: {first}done in {latency.TotalMilliseconds:0} ms{tokens}{(answer.FinishReason is { } why ? $", finish {why}" : string.Empty)}]")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
