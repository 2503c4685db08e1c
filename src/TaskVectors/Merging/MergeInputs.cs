// MergeInputs: the T task vectors a merge reads, tensor by tensor: in memory (TaskVector) or from safetensors
// files (memory-mapped, read one tensor per task at a time and checked for NaN/∞ as it is read).
using TaskVectors.Models;

namespace TaskVectors.Merging;

/// <summary>Where a merge's task vectors come from.</summary>
internal abstract class MergeInputs : IDisposable
{
    /// <summary>T, the number of task vectors.</summary>
    public abstract int Count { get; }

    /// <summary>Task vector t as the operand checks see it: label (file or position), base, regime, tensor shapes.</summary>
    public abstract (string Label, string? Fingerprint, Regime Regime, IReadOnlyDictionary<string, int[]> Shapes) Describe(int t);

    /// <summary>τ_t of tensor <paramref name="name"/>: stored memory, or <paramref name="buffer"/> filled from the file.</summary>
    /// <exception cref="InvalidDataException">The values hold NaN or ±∞ (the message names the file and tensor).</exception>
    public abstract ReadOnlyMemory<float> Read(int t, string name, float[] buffer);

    /// <summary>Bytes read so far from files (0 in memory).</summary>
    public virtual long BytesRead => 0;

    /// <summary>A copy of τ_t of tensor <paramref name="name"/>, or null when task vector t has none.</summary>
    public float[]? Copy(int t, string name) =>
        Describe(t).Shapes.TryGetValue(name, out var shape) ? Read(t, name, new float[Tensors.Tensor.CheckedLength(shape)]).ToArray() : null;

    /// <inheritdoc />
    public virtual void Dispose() { }
}
