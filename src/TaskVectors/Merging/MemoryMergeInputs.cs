// MemoryMergeInputs: task vectors already in memory; reads return their storage, no copy.
using TaskVectors.Models;

namespace TaskVectors.Merging;

internal sealed class MemoryMergeInputs(IReadOnlyList<TaskVector> vectors) : MergeInputs
{
    public override int Count => vectors.Count;

    public override (string Label, string? Fingerprint, Regime Regime, IReadOnlyDictionary<string, int[]> Shapes) Describe(int t) =>
        vectors[t].Describe($"task vector {t}");

    public override ReadOnlyMemory<float> Read(int t, string name, float[] buffer) => vectors[t].Tensors[name].Memory;
}
