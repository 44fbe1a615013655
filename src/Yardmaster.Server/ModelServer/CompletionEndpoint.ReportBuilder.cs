using Yardmaster.Inference.Engine;

namespace Yardmaster.Server.ModelServer;

internal sealed partial class CompletionEndpoint
{
    /// <summary>Collects a <see cref="CompletionReport"/> while a response is written.</summary>
    private sealed class ReportBuilder(TimeProvider time)
    {
        private long? _firstToken;
        private int _prompt;
        private int _completion;

        public CompletionOutcome Outcome { get; set; } = CompletionOutcome.Cancelled;

        public void FirstToken() => _firstToken ??= time.GetTimestamp();

        public void Finish(GenerationFinished finished, CompletionOutcome outcome)
        {
            _prompt = finished.PromptTokens;
            _completion = finished.CompletionTokens;
            Outcome = outcome;
        }

        public CompletionReport Build() => new(Outcome, _prompt, _completion, _firstToken);
    }
}
