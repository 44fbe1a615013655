using System.Globalization;

namespace Yardmaster.Core.Configuration;

/// <content>The rules of one model.</content>
public static partial class DefinitionValidator
{
    private static void CheckModel(ModelDefinition model, DeviceSettings devices, string at, List<ConfigError> errors)
    {
        CheckName(model.Name, at, errors);
        CheckBackend(model, at, errors);

        if (!Enum.IsDefined(model.Backend))
        {
            errors.Add(new(Join(at, "backend"), $"unknown backend {model.Backend}; use builtin | process | http"));
        }

        if (!Enum.IsDefined(model.Device))
        {
            errors.Add(new(Join(at, "device"), $"unknown device {model.Device}; use cpu | gpu"));
        }
        else if (model.Device == DeviceKind.Gpu && devices.Gpus.Count == 0 && !model.Backend.OnCluster())
        {
            errors.Add(new(Join(at, "device"), "device gpu needs at least one GPU in devices.gpus, which is empty"));
        }

        if (model.Memory is <= 0)
        {
            errors.Add(new(Join(at, "memory"), $"must be positive when given (was {model.Memory})"));
        }

        if (model.Slots < 1)
        {
            errors.Add(new(Join(at, "slots"), $"must be at least 1 (was {model.Slots})"));
        }

        if (model.Context is < 1)
        {
            errors.Add(new(Join(at, "context"), $"must be at least 1 token when given (was {model.Context})"));
        }

        if (model.Threads is < 1)
        {
            errors.Add(new(Join(at, "threads"), $"must be at least 1 when given (was {model.Threads})"));
        }

        if (model.ReplicasMin < 0)
        {
            errors.Add(new(Join(at, "replicas.min"), $"must not be negative (was {model.ReplicasMin})"));
        }

        if (model.ReplicasMax < 1)
        {
            errors.Add(new(Join(at, "replicas.max"), $"must be at least 1 (was {model.ReplicasMax})"));
        }
        else if (model.ReplicasMin > model.ReplicasMax)
        {
            errors.Add(new(Join(at, "replicas.min"), $"must not exceed replicas.max (min {model.ReplicasMin}, max {model.ReplicasMax})"));
        }

        CheckDuration(model.KeepAlive, zeroAllowed: true, Join(at, "keep_alive"), errors);
        CheckDuration(model.ReadyTimeout, zeroAllowed: false, Join(at, "ready_timeout"), errors);
        CheckDuration(model.StopGrace, zeroAllowed: true, Join(at, "stop_grace"), errors);

        if (model.Simulation is { } sim)
        {
            CheckSimulation(sim, Join(at, "simulation"), errors);
        }

        if (!double.IsFinite(model.Cost) || model.Cost < 0)
        {
            errors.Add(new(Join(at, "cost"), $"must be a non-negative number (was {model.Cost})"));
        }

        if (model.Preempt == true && model.Backend == BackendKind.Http)
        {
            errors.Add(new(Join(at, "preempt"), "an http backend's engine is not run here and cannot be asked to preempt; use it with builtin, process, slurm or kubernetes backends that run yard model-server"));
        }
    }

    /// <summary>Either both scalar rates or the <c>concurrency</c> table (sequences rising from 1 up, rates above 0), not both.</summary>
    private static void CheckSimulation(ModelSpeedSettings sim, string at, List<ConfigError> errors)
    {
        if (sim.Concurrency is not { } table)
        {
            CheckRate(sim.PrefillTokensPerSecond, Join(at, "prefill_tokens_per_second"), "is required: a number above 0 (measure it with yard model bench FILE)", errors);
            CheckRate(sim.DecodeTokensPerSecond, Join(at, "decode_tokens_per_second"), "is required: a number above 0 (measure it with yard model bench FILE)", errors);
            return;
        }

        foreach (var (rate, key) in new[] { (sim.PrefillTokensPerSecond, "prefill_tokens_per_second"), (sim.DecodeTokensPerSecond, "decode_tokens_per_second") })
        {
            if (!double.IsNaN(rate))
            {
                errors.Add(new(Join(at, key), "not with concurrency: give the rates in the table's rows (or drop the table for one rate at every concurrency)"));
            }
        }

        if (table.Count == 0)
        {
            errors.Add(new(Join(at, "concurrency"), "needs at least one row { sequences, prefill_tokens_per_second, decode_tokens_per_second } (yard model bench FILE --concurrency 1,2,4 prints them)"));
        }

        for (var i = 0; i < table.Count; i++)
        {
            var row = table[i];
            var field = $"{at}.concurrency[{i}]";
            if (row.Sequences < 1)
            {
                errors.Add(new(Join(field, "sequences"), $"is required: a whole number of sequences at once, at least 1 (was {row.Sequences})"));
            }
            else if (i > 0 && table[i - 1].Sequences >= 1 && row.Sequences <= table[i - 1].Sequences)
            {
                errors.Add(new(Join(field, "sequences"), $"must be above the row before's ({table[i - 1].Sequences}): rows go by increasing sequences (was {row.Sequences})"));
            }

            CheckRate(row.PrefillTokensPerSecond, Join(field, "prefill_tokens_per_second"), "is required: a number above 0, tokens per second per sequence", errors);
            CheckRate(row.DecodeTokensPerSecond, Join(field, "decode_tokens_per_second"), "is required: a number above 0, tokens per second per sequence", errors);
        }
    }

    private static void CheckRate(double rate, string field, string message, List<ConfigError> errors)
    {
        if (!double.IsFinite(rate) || rate <= 0)
        {
            errors.Add(new(field, double.IsNaN(rate) ? message : $"{message} (was {rate.ToString(CultureInfo.InvariantCulture)})"));
        }
    }

    private static void CheckBackend(ModelDefinition model, string at, List<ConfigError> errors)
    {
        CheckImage(model, at, errors);
        if (model.Backend == BackendKind.Builtin && string.IsNullOrWhiteSpace(model.Path))
        {
            errors.Add(new(Join(at, "path"), "a builtin model needs path, the GGUF file"));
        }

        if (model.Backend.RunsCommand())
        {
            if (string.IsNullOrWhiteSpace(model.Command))
            {
                errors.Add(new(Join(at, "command"), $"a {model.Backend.Name()} model needs command, e.g. \"yard model-server --model {{path}} --port {{port}} --slots {{slots}}\""));
            }
            else if (!model.Command.Contains("{port}", StringComparison.Ordinal))
            {
                errors.Add(new(Join(at, "command"), "the command must contain {port}, where the model server is told to listen"));
            }
            else if (model.Command.Contains("{path}", StringComparison.Ordinal) && string.IsNullOrWhiteSpace(model.Path))
            {
                errors.Add(new(Join(at, "path"), "the command uses {path} but path is not set"));
            }
        }
        else if (model.Command is not null)
        {
            errors.Add(new(Join(at, "command"), $"command applies only to backends process, slurm and kubernetes (this model's backend is {model.Backend.Name()})"));
        }

        if (model.Backend == BackendKind.Http)
        {
            if (model.Url is null)
            {
                errors.Add(new(Join(at, "url"), "an http model needs url, e.g. http://127.0.0.1:9000/v1"));
            }
            else if (!model.Url.IsAbsoluteUri || (model.Url.Scheme != Uri.UriSchemeHttp && model.Url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add(new(Join(at, "url"), $"'{model.Url.OriginalString}' is not an absolute http or https URL"));
            }
        }
        else if (model.Url is not null)
        {
            errors.Add(new(Join(at, "url"), $"url applies only to backend http (this model's backend is {model.Backend.Name()})"));
        }
    }

    /// <summary>A kubernetes replica's pod runs the command in <c>image</c> (the cluster has no copy of this machine's files); no other backend has one.</summary>
    private static void CheckImage(ModelDefinition model, string at, List<ConfigError> errors)
    {
        if (model.Backend == BackendKind.Kubernetes)
        {
            if (string.IsNullOrWhiteSpace(model.Image))
            {
                errors.Add(new(Join(at, "image"), "a kubernetes model needs image, the container image its server runs in (the command replaces the image's entrypoint), e.g. ghcr.io/example/yard:1.0"));
            }
            else if (!Pipelines.ImageReference.IsValid(model.Image))
            {
                errors.Add(new(Join(at, "image"), $"'{model.Image}' is not an image reference; use [host[:port]/]name[:tag][@digest] in lower case"));
            }
        }
        else if (model.Image is not null)
        {
            errors.Add(new(Join(at, "image"), $"image applies only to backend kubernetes (this model's backend is {model.Backend.Name()})"));
        }
    }
}
