// MergePlan: what a merge covers: the number of task vectors, their base fingerprint and regime, the tensors.
using TaskVectors.Models;

namespace TaskVectors.Merging;

/// <summary>The inputs of one merge, shown to <see cref="IMergeMethod.Prepare"/> before the first tensor.</summary>
/// <param name="TaskCount">T, the number of task vectors merged.</param>
/// <param name="BaseFingerprint">The base model's fingerprint the task vectors record (null when none is recorded).</param>
/// <param name="Regime">The task vectors' regime.</param>
/// <param name="Tensors">Every merged tensor's name and shape, in merge order.</param>
/// <param name="Sources">A description of each task vector (its file, or its position).</param>
public sealed record MergePlan(int TaskCount, string? BaseFingerprint, Regime Regime, IReadOnlyList<(string Name, int[] Shape)> Tensors, IReadOnlyList<string> Sources);
