// ConfiguredMerge: runs a MergeRequest on a resolved base: θ[p] = θ0[p] + α(p)·τ*[p], τ* = method(α_1(p)·τ_1, …,
// α_T(p)·τ_T) with the method's hyperparameters at p. Every file is checked first (existence, kind, base fingerprint),
// so a bad input fails before any work with its own exit code. A request without per-task weights or per-tensor
// values streams through the library's TaskArithmetic.MergeIntoBase; otherwise the task vectors are read, the tensors
// grouped by their hyperparameters, each group merged with TaskVectorMerge.Merge, and the result written atomically
// with the base's metadata (so the merged checkpoint loads like its base) and the merge's own keys.
using System.Globalization;
using TaskVectors.Building;
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.Curvature;
using TaskVectors.IO;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Merging;

internal static class ConfiguredMerge
{
    public const string ConfigKey = "merge_config";
    public const string WeightsKey = "merge_weights";

    public static object Run(MergeRequest request, LoadedBase b, string output, CliProgress progress, CancellationToken cancellationToken, ExitCode parameterError)
    {
        if (!MergeMethods.Names.Contains(request.Method))
            throw new CliException(ExitCode.UnknownMethod, $"{request.MethodSource}: no merge method is named '{request.Method}'; known: {string.Join(", ", MergeMethods.Names)}.");
        if (request.Inputs.Count == 0) throw new CliException(ExitCode.Usage, "No task vectors to merge: give their files (or 'models' in --config).");
        foreach (var input in request.Inputs)
        {
            Files.Existing(input.Path, "task vector");
            using var file = SafetensorsFile.Open(input.Path);
            FileHeader.Expect(file.FilePath, file.Metadata, allowUnmarked: false, FileHeader.TaskVector, FileHeader.Merged);
            BaseCheck.Ensure(input.Path, file.Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey), b);
        }
        bool needsFactors = request.Method is "regmean" or "fisher";
        List<TaskFactors>? factors = null;
        if (needsFactors)
        {
            factors = [];
            foreach (var input in request.Inputs)
            {
                string file = input.Factors ?? throw new CliException(ExitCode.Usage, $"Merge method '{request.Method}' needs each task vector's factor file; '{input.Path}' has none (--factors, or 'factors:' in the configuration).");
                var f = TaskFactors.Load(Files.Existing(file, "--factors"));
                BaseCheck.Ensure(file, f.BaseFingerprint, b);
                factors.Add(f);
            }
        }
        var tensorsDone = request.IsStreamable
            ? Stream(request, b, output, factors, progress, cancellationToken, parameterError)
            : InMemory(request, b, output, factors, progress, cancellationToken, parameterError);
        return new
        {
            output, kind = "checkpoint", method = request.Method, alpha = request.Alpha.ToString(), inputs = request.Inputs.Select(i => new { file = i.Path, weight = i.Weight.ToString() }),
            baseFingerprint = b.Fingerprint, tensors = tensorsDone, streamed = request.IsStreamable,
        };
    }

    private static int Stream(MergeRequest request, LoadedBase b, string output, List<TaskFactors>? factors, CliProgress progress, CancellationToken cancellationToken, ExitCode parameterError)
    {
        var options = MergeParameters.Options(request.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value.Entries[0].Value), request.MethodSource, parameterError);
        if (factors is not null) options = options with { Factors = factors };
        int tensors = 0;
        progress.Run($"merge ({request.Method})", "tensors", report =>
        {
            // The base was verified above against the fingerprint of the model built from it (file order need not be parameter order).
            TaskArithmetic.MergeIntoBase(b.CheckpointPath, [.. request.Inputs.Select(i => i.Path)], output, request.Method, (float)request.Alpha.Entries[0].Value,
                options, unverifiedBase: true, new InlineProgress<MergeProgress>(p => { tensors = p.Total; report(p.Done, p.Total); }), cancellationToken);
            return 0;
        });
        return tensors;
    }

    private static int InMemory(MergeRequest request, LoadedBase b, string output, List<TaskFactors>? factors, CliProgress progress, CancellationToken cancellationToken, ExitCode parameterError)
    {
        var vectors = request.Inputs.Select(i => TaskVector.Load(i.Path)).ToList();
        var names = vectors[0].Tensors.Keys.Order(StringComparer.Ordinal).ToList();
        // Tensors with the same hyperparameters are merged together (one method call per group).
        var groups = names.GroupBy(n => string.Join(";", request.Parameters.Select(kv => $"{kv.Key}={At(kv.Value, n, kv.Key, request.MethodSource)}")), StringComparer.Ordinal).ToList();
        var merged = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        progress.Run($"merge ({request.Method})", "tensors", report =>
        {
            foreach (var group in groups)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var values = request.Parameters.ToDictionary(kv => kv.Key, kv => At(kv.Value, group.First(), kv.Key, request.MethodSource), StringComparer.Ordinal);
                var options = MergeParameters.Options(values, request.MethodSource, parameterError);
                if (factors is not null) options = options with { Factors = factors };
                var operands = vectors.Select((v, t) => new TaskVector(group.Where(v.Tensors.ContainsKey).ToDictionary(n => n, n => Weighted(v.Tensors[n], At(request.Inputs[t].Weight, n, "weight", request.Inputs[t].Path)), StringComparer.Ordinal), v.Metadata)).ToList();
                var tau = TaskVectorMerge.Merge(operands, MergeMethods.Create(request.Method, options), null, cancellationToken);
                foreach (var (name, tensor) in tau.Tensors) merged.Add(name, tensor);
                report(merged.Count, names.Count);
            }
            return 0;
        });
        var theta = b.Apply(new Snapshot());
        foreach (var (name, tensor) in merged)
        {
            var p = theta.GetValueOrDefault(name) ?? throw new CliException(ExitCode.WrongBase, $"Task-vector tensor '{name}' is not a parameter of --base '{b.Source}'.");
            if (!p.HasShape(tensor.Shape)) throw new CliException(ExitCode.WrongBase, $"Task-vector tensor '{name}' is {tensor.ShapeText}; the base's is {p.ShapeText}.");
            TensorMath.AddScaled(tensor.Span, (float)At(request.Alpha, name, "alpha", request.MethodSource), p.Span);
            if (!TensorMath.AllFinite(p.Span)) throw new InvalidOperationException($"Merged tensor '{name}' holds NaN or ±∞; nothing was written.");
        }
        using var baseFile = SafetensorsFile.Open(b.CheckpointPath);
        var metadata = new Dictionary<string, string>(baseFile.Metadata, StringComparer.Ordinal)
        {
            [TaskVectorMerge.MethodKey] = request.Method,
            ["merge_alpha"] = request.Alpha.ToString(),
            [WeightsKey] = string.Join("\n", request.Inputs.Select(i => i.Weight.ToString())),
            [TaskVectorMerge.SourcesKey] = string.Join("\n", request.Inputs.Select(i => Path.GetFileName(i.Path))),
            ["merged_regime"] = TaskVector.RegimeText(vectors[0].Regime),
            [BaseCheck.MergedBaseKey] = b.Fingerprint,
        };
        if (request.ConfigText is not null) metadata[ConfigKey] = request.ConfigText;
        metadata.Remove(ModelFingerprint.MetadataKey);
        FileHeader.Stamp(metadata, FileHeader.Checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        SafetensorsWriter.Write(output, theta.Select(kv => (kv.Key, kv.Value)), metadata);
        return merged.Count;
    }

    private static double At(FilteredValue value, string tensor, string what, string source) =>
        value.At(tensor) ?? throw new CliException(ExitCode.BadConfig, $"{source}: no '{what}' entry matches tensor '{tensor}'; add an entry without a filter as the default.");

    private static Tensor Weighted(Tensor tensor, double weight)
    {
        if (weight == 1.0) return tensor;
        var copy = tensor.Clone();
        TensorMath.Scale(tensor.Span, (float)weight, copy.Span);
        return copy;
    }

    // θ0 as name → copy, in the base model's parameter order.
    private sealed class Snapshot : IBaseWork<Dictionary<string, Tensor>>
    {
        public Dictionary<string, Tensor> Run<TInput>(LoadedBase<TInput> loaded) => Checkpoint.Snapshot(loaded.Model);
    }
}
