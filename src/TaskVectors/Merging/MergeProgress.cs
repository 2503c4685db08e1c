// MergeProgress: how far a merge has come, reported after each tensor.
namespace TaskVectors.Merging;

/// <summary>Progress of a merge: <paramref name="Done"/> of <paramref name="Total"/> tensors merged, the last one's name, input bytes read.</summary>
public sealed record MergeProgress(int Done, int Total, string Tensor, long BytesRead);
