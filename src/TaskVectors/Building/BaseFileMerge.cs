// BaseFileMerge: merges task-vector files into a base checkpoint file: τ* = method(τ_1, …, τ_T) streamed to a
// temporary file, then every base tensor θ0[p] + α·τ*[p] (θ0[p] where τ* has no p) written atomically to the output.
// The base must be the one the task vectors were made from: its tensors, hashed in file order or in name order, must
// give the fingerprint the vectors record, or its metadata must record that fingerprint; otherwise the merge refuses
// unless the caller says explicitly that the base is unverified.
using System.Globalization;
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Building;

internal static class BaseFileMerge
{
    public static void Run(string baseFile, IReadOnlyList<string> taskVectorFiles, string output, IMergeMethod method, float alpha, bool unverifiedBase,
        IProgress<MergeProgress>? progress, CancellationToken cancellationToken)
    {
        string merged = output + ".tau-" + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            TaskVectorMerge.MergeFiles(taskVectorFiles, merged, method, null, progress, cancellationToken);
            using var tau = SafetensorsFile.Open(merged);
            using var theta0 = SafetensorsFile.Open(baseFile);
            FileHeader.Expect(theta0.FilePath, theta0.Metadata, allowUnmarked: true, FileHeader.Checkpoint);
            string recorded = tau.Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey)
                ?? throw new InvalidOperationException("The task vectors record no base-model fingerprint, so the base cannot be checked.");
            var values = theta0.Tensors.Select(t => new Parameter(t.Name, theta0.ReadTensor(t.Name))).ToList();
            if (!unverifiedBase && !IsBase(theta0, values, recorded))
                throw new InvalidOperationException(
                    $"'{baseFile}' is not verifiably the base the task vectors were made from ({recorded[..12]}…): its tensors hash to another fingerprint in file " +
                    $"order and in name order, and its metadata records none or another. Save the base with metadata {{\"{ModelFingerprint.MetadataKey}\": ModelFingerprint.Compute(model)}}, " +
                    "or pass unverifiedBase: true if you are sure.");
            var byName = values.ToDictionary(p => p.Name, StringComparer.Ordinal);
            foreach (var info in tau.Tensors)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var p = byName.GetValueOrDefault(info.Name) ?? throw new InvalidOperationException($"Task-vector tensor '{info.Name}' is not in the base '{baseFile}'.");
                if (!info.Shape.AsSpan().SequenceEqual(p.Value.Shape))
                    throw new InvalidOperationException($"Task-vector tensor '{info.Name}' is {info.ShapeText}; the base's is {p.Value.ShapeText}.");
                TensorMath.AddScaled(tau.ReadTensor(info.Name).Span, alpha, p.Value.Span);
            }
            var metadata = new Dictionary<string, string>(theta0.Metadata, StringComparer.Ordinal)
            {
                [TaskVectorMerge.MethodKey] = method.Name,
                ["merge_alpha"] = alpha.ToString("R", CultureInfo.InvariantCulture),
                [TaskVectorMerge.SourcesKey] = string.Join("\n", taskVectorFiles.Select(Path.GetFileName)),
                ["merged_regime"] = tau.Metadata.GetValueOrDefault(TaskVector.RegimeKey) ?? "",
                ["merged_base_fingerprint"] = recorded,
            };
            // The output holds θ0 + α·τ*, not θ0: it must not claim θ0's fingerprint as its own.
            metadata.Remove(ModelFingerprint.MetadataKey);
            FileHeader.Stamp(metadata, FileHeader.Checkpoint);
            SafetensorsWriter.Write(output, values.Select(p => (p.Name, p.Value)), metadata);
        }
        finally
        {
            File.Delete(merged);
        }
    }

    private static bool IsBase(SafetensorsFile file, List<Parameter> values, string recorded) =>
        file.Metadata.GetValueOrDefault(ModelFingerprint.MetadataKey) == recorded
        || ModelFingerprint.Compute(new Parameters(values)) == recorded
        || ModelFingerprint.Compute(new Parameters([.. values.OrderBy(p => p.Name, StringComparer.Ordinal)])) == recorded;

    private sealed class Parameters(IReadOnlyList<Parameter> list) : IParameterized
    {
        IReadOnlyList<Parameter> IParameterized.Parameters => list;
    }
}
