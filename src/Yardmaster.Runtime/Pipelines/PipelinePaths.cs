using Yardmaster.Core.Configuration;
using Yardmaster.Core.Pipelines;
using Yardmaster.Runtime.Paths;

namespace Yardmaster.Runtime.Pipelines;

/// <summary>
/// Where a pipeline's paths may point: its <c>workdir</c> and its inference steps' <c>input</c> and <c>output</c> stay
/// inside the run's folder (<c>DATA/runs/RUN</c>; for an embedded run also the pipeline file's folder) or a folder of
/// <c>jobs.allowed_dirs</c>, symbolic links resolved. Checked when a pipeline is validated and again before each
/// attempt starts (a folder may have become a link since). Thread-safe.
/// </summary>
internal static class PipelinePaths
{
    /// <summary>Stands for the run's folder while validating, before the run has an id.</summary>
    private const string RunPlaceholder = "/yard-run";

    /// <summary>The folders of a run: <c>jobs.allowed_dirs</c>, the file's folder when trusted, and the run's own folder when known.</summary>
    public static List<string> Roots(PipelineEnvironment environment, string sourceFile, string? runFolder)
    {
        var roots = new List<string>(environment.AllowedDirectories);
        if (environment.SourceFolderAllowed && Path.GetDirectoryName(Path.GetFullPath(sourceFile)) is { } folder)
        {
            roots.Add(folder);
        }

        if (runFolder is not null)
        {
            roots.Add(runFolder);
        }

        return roots;
    }

    /// <summary>Errors for a workdir (already made absolute) or inference paths outside the run's folders.</summary>
    public static IEnumerable<ConfigError> Validate(PipelineDefinition pipeline, string sourceFile, PipelineEnvironment environment)
    {
        var roots = Roots(environment, sourceFile, runFolder: null);
        if (pipeline.WorkingDirectory is { } workdir && ConfinedPaths.Within(workdir, roots) is null)
        {
            yield return new ConfigError("workdir", $"'{workdir}' is outside the folders a run may use; {Allowed(roots)}");
        }

        for (var i = 0; i < pipeline.Steps.Count; i++)
        {
            foreach (var (key, path) in Files(pipeline.Steps[i]))
            {
                if (path.Length > 0 && !AllowedAtValidation(path, pipeline.WorkingDirectory, roots))
                {
                    yield return new ConfigError($"steps[{i}].{key}", $"'{path}' is outside the folders a run may use; {Allowed(roots)}");
                }
            }
        }
    }

    /// <summary>Why an attempt may not start (a path that now leads outside the run's folders), or null.</summary>
    public static string? CheckAttempt(StepDefinition step, string workingDirectory, IReadOnlyList<string> roots)
    {
        if (ConfinedPaths.Within(workingDirectory, roots) is null)
        {
            return $"the working directory '{workingDirectory}' leads outside the folders a run may use (a symbolic link?): {string.Join(", ", roots)}";
        }

        foreach (var (key, path) in Files(step))
        {
            if (ConfinedPaths.Within(path, roots, workingDirectory) is null)
            {
                return $"{key} '{path}' leads outside the folders a run may use (a symbolic link?): {string.Join(", ", roots)}";
            }
        }

        return null;
    }

    /// <summary>The files a step running inside the server reads or writes, by their field (<c>inference.input</c>, <c>evaluate.dataset</c>, ...).</summary>
    private static IEnumerable<(string Field, string Path)> Files(StepDefinition step)
    {
        if (step.Inference is { } inference)
        {
            yield return ("inference.input", inference.Input);
            yield return ("inference.output", inference.Output);
        }

        if (step.Evaluate is { } evaluate)
        {
            yield return ("evaluate.dataset", evaluate.Dataset);
            if (evaluate.Output is { } output)
            {
                yield return ("evaluate.output", output);
            }
        }
    }

    private static bool AllowedAtValidation(string path, string? workdir, List<string> roots)
    {
        if (workdir is not null)
        {
            return ConfinedPaths.Within(path, [.. roots, workdir], workdir) is not null;
        }

        if (Path.IsPathRooted(path))
        {
            return ConfinedPaths.Within(path, roots) is not null;
        }

        // The default working directory (DATA/runs/RUN/work) does not exist yet: a relative path must stay in the run's folder.
        return Path.GetFullPath(Path.Join(RunPlaceholder, "work", path)).StartsWith(RunPlaceholder + "/", StringComparison.Ordinal);
    }

    private static string Allowed(List<string> roots) => roots.Count == 0
        ? "a run uses its own folder (DATA/runs/RUN, working directory DATA/runs/RUN/work); list other folders in jobs.allowed_dirs of the config file"
        : $"a run uses its own folder (DATA/runs/RUN) and {string.Join(", ", roots)}; list other folders in jobs.allowed_dirs of the config file";
}
