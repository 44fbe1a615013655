using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Configuration;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// Loads a pipeline file: YAML syntax, keys and types (<see cref="PipelineSection"/>), then the rules of
/// <see cref="PipelineValidator"/> (needs, cycles, resources against the nodes, executors), every error at
/// once with file, line, column and field. Never throws for bad input. Thread-safe.
/// </summary>
public static class PipelineLoader
{
    /// <summary>Reads and validates the file at <paramref name="path"/>.</summary>
    public static PipelineLoadResult Load(string path, PipelineEnvironment environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ConfigFile.TryRead(path, out var error) is not { } text)
        {
            return new PipelineLoadResult(null, [error!]);
        }

        return LoadText(text, path, environment);
    }

    /// <summary>Reads and validates YAML text as if from <paramref name="fileName"/> (a relative <c>workdir</c> resolves against its folder).</summary>
    public static PipelineLoadResult LoadText(string yaml, string fileName, PipelineEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(environment);
        var reader = new ConfigReader(fileName);
        var root = ConfigNodeParser.Parse(yaml, reader);
        if (reader.Errors.Count > 0)
        {
            return new PipelineLoadResult(null, reader.Errors);
        }

        if (root is null || root.IsNull)
        {
            return new PipelineLoadResult(null, [new ConfigError(string.Empty, "the file is empty; a pipeline has a name and steps") { File = fileName }]);
        }

        var pipeline = PipelineSection.Read(root, reader);
        var errors = reader.Errors;
        if (pipeline is not null)
        {
            // A field the reader already rejected kept its default; do not report the default too.
            var rejected = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
            errors.AddRange(PipelineValidator.Validate(pipeline, environment).Where(e => !ConfigFile.WithinAny(e.Field, rejected)).Select(reader.Locate));
        }

        if (pipeline?.WorkingDirectory is { } workdir)
        {
            // Relative to the pipeline file's folder, like a Makefile's commands are relative to its own.
            var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".", workdir));
            if (Directory.Exists(full))
            {
                pipeline = pipeline with { WorkingDirectory = full };
            }
            else
            {
                errors.Add(reader.Locate(new ConfigError("workdir", $"the directory '{full}' does not exist")));
            }
        }

        if (pipeline is not null)
        {
            var checkable = pipeline.WorkingDirectory is { } w && !Path.IsPathFullyQualified(w) ? pipeline with { WorkingDirectory = null } : pipeline;
            errors.AddRange(PipelinePaths.Validate(checkable, fileName, environment).Select(reader.Locate));
        }

        var sorted = errors.OrderBy(e => e.Line ?? 0).ThenBy(e => e.Column ?? 0).ToList();
        return sorted.Count == 0 && pipeline is not null ? new PipelineLoadResult(pipeline, []) : new PipelineLoadResult(null, sorted);
    }
}
