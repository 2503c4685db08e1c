// TaskVectorMerge: runs a merge method over T task vectors, tensor by tensor: in memory, or streamed from files
// (each input memory-mapped, one tensor per input read at a time, the output written as it is produced by the
// atomic streaming writer): memory for one tensor per input plus the output tensor, never T models.
using System.Numerics.Tensors;
using TaskVectors.IO;
using TaskVectors.Models;
using Tensor = TaskVectors.Tensors.Tensor;

namespace TaskVectors.Merging;

/// <summary>Merges task vectors with an <see cref="IMergeMethod"/>, in memory or from files to a file.</summary>
public static class TaskVectorMerge
{
    /// <summary>Metadata key of the merge method's name in a merged vector.</summary>
    public const string MethodKey = "merge_method";

    /// <summary>Metadata key of the merged inputs (their files or positions, one per line).</summary>
    public const string SourcesKey = "merged_from";

    /// <summary>
    /// τ* = method(τ_1, …, τ_T), tensor by tensor, for vectors of one base model, one regime and the same tensor names and
    /// shapes (<paramref name="options"/> may skip named tensors).
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or holds null; the method refuses its inputs.</exception>
    /// <exception cref="TaskVectorMismatchException">The vectors disagree on base, regime, names or shapes (all listed).</exception>
    /// <exception cref="InvalidOperationException">The method produced NaN or ±∞ (the message names the tensor).</exception>
    public static TaskVector Merge(IReadOnlyList<TaskVector> vectors, IMergeMethod method, TaskVectorCombineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Any(v => v is null)) throw new ArgumentException("A task vector is null.", nameof(vectors));
        using var inputs = new MemoryMergeInputs(vectors);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = Run(inputs, method, options, (layout, _) => layout, (name, shape, values) => result.Add(name, new Tensor(values.ToArray(), shape)), null, cancellationToken);
        return new TaskVector(result, metadata);
    }

    /// <summary>
    /// Merges the task-vector files <paramref name="inputs"/> into <paramref name="output"/>, streaming: every input is
    /// memory-mapped and read one tensor at a time, the result written tensor by tensor to a temporary file renamed over
    /// <paramref name="output"/> only when complete. On any error no output file is left behind (an existing one is kept).
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, or the method refuses them.</exception>
    /// <exception cref="TaskVectorMismatchException">The files disagree on base, regime, names or shapes (all listed, with file names).</exception>
    /// <exception cref="FileKindException">An input declares another kind than a task vector (factors, a checkpoint …).</exception>
    /// <exception cref="InvalidDataException">A tensor holds NaN or ±∞, or a regime is invalid (the message names the file and tensor).</exception>
    /// <exception cref="SafetensorsFormatException">An input is not valid safetensors.</exception>
    /// <exception cref="InvalidOperationException">The method produced NaN or ±∞.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is written.</exception>
    public static void MergeFiles(IReadOnlyList<string> inputs, string output, IMergeMethod method, TaskVectorCombineOptions? options = null,
        IProgress<MergeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (inputs.Count == 0) throw new ArgumentException("No task-vector files to merge.", nameof(inputs));
        using var files = new FileMergeInputs(inputs);
        SafetensorsStreamWriter? writer = null;
        try
        {
            Run(files, method, options, (layout, metadata) =>
            {
                writer = SafetensorsStreamWriter.Create(output, layout, FileHeader.Stamped(metadata, FileHeader.Merged));
                return writer.Order;
            }, (name, _, values) => writer!.Write(name, values), progress, cancellationToken);
            writer!.Commit();
        }
        finally
        {
            writer?.Dispose();
        }
    }

    // Checks the operands, prepares the method, then merges tensor by tensor in the order `begin` returns and hands
    // each result to `emit`. Returns the merged vector's metadata.
    private static Dictionary<string, string> Run(MergeInputs inputs, IMergeMethod method, TaskVectorCombineOptions? options,
        Func<IReadOnlyList<(string Name, int[] Shape)>, Dictionary<string, string>, IReadOnlyList<(string Name, int[] Shape)>> begin,
        Action<string, int[], ReadOnlySpan<float>> emit, IProgress<MergeProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (inputs.Count == 0) throw new ArgumentException("No task vectors to merge.", nameof(inputs));
        var skip = (options ?? TaskVectorCombineOptions.Default).Skip;
        var operands = Enumerable.Range(0, inputs.Count).Select(inputs.Describe).ToList();
        var mismatches = TaskVector.Mismatches(operands, skip);
        if (mismatches.Count > 0) throw new TaskVectorMismatchException($"Merge ({method.Name})", mismatches);

        var first = operands[0];
        var layout = first.Shapes.Where(kv => !skip.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Name: kv.Key, Shape: kv.Value)).ToList();
        var plan = new MergePlan(inputs.Count, first.Fingerprint, first.Regime, layout, [.. operands.Select(o => o.Label)]);
        method.Prepare(plan);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [TaskVector.RegimeKey] = TaskVector.RegimeText(first.Regime),
            [MethodKey] = method.Name,
            [SourcesKey] = string.Join("\n", plan.Sources),
        };
        if (first.Fingerprint is { } fingerprint) metadata[ModelFingerprint.MetadataKey] = fingerprint;

        var order = begin(layout, metadata);
        int largest = layout.Count == 0 ? 0 : layout.Max(x => Tensor.CheckedLength(x.Shape));
        var buffers = Enumerable.Range(0, inputs.Count).Select(_ => new float[largest]).ToArray();
        var merged = new float[largest];
        var views = new ReadOnlyMemory<float>[inputs.Count];
        for (int k = 0; k < order.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (name, shape) = order[k];
            for (int t = 0; t < inputs.Count; t++) views[t] = inputs.Read(t, name, buffers[t]);
            var destination = merged.AsSpan(0, views[0].Length);
            method.Merge(new MergeTensor(name, shape, views, inputs.Copy), destination);
            if (!TensorPrimitives.IsFiniteAll<float>(destination))
                throw new InvalidOperationException($"Merge ({method.Name}): tensor '{name}' came out with NaN or ±∞; nothing was written.");
            emit(name, shape, destination);
            progress?.Report(new MergeProgress(k + 1, order.Count, name, inputs.BytesRead));
        }
        return metadata;
    }
}
