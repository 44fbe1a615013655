namespace Yardmaster.Server.ModelServer;

/// <summary>An error in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c> with its HTTP status.</summary>
/// <param name="Status">HTTP status code.</param>
/// <param name="Message">What was wrong, naming the field and the limits.</param>
/// <param name="Type">OpenAI error type, e.g. <c>invalid_request_error</c>.</param>
/// <param name="Param">The request field at fault, when there is one.</param>
/// <param name="Code">A machine-readable code, e.g. <c>context_length_exceeded</c>.</param>
internal sealed record OpenAiError(int Status, string Message, string Type = "invalid_request_error", string? Param = null, string? Code = null)
{
    public static OpenAiError BadRequest(string message, string? param = null, string? code = null) => new(400, message, Param: param, Code: code);

    /// <summary>For 429 and 503: when to try again, sent as <c>Retry-After</c> in whole seconds.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = Status;
        if (RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(response.Body, Core.ReadableJson.Writer);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", Message);
        json.WriteString("type", Type);
        WriteNullable(json, "param", Param);
        WriteNullable(json, "code", Code);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteNullable(System.Text.Json.Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
