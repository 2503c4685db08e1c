// MergeInput: one task vector of a merge: its file, its factor file (RegMean and Fisher merging need one per task) and
// its weight α_t, which scales τ_t (per tensor when filtered) before the method combines the task vectors.
namespace TaskVectors.Cli.Merging;

internal sealed record MergeInput(string Path, string? Factors, FilteredValue Weight);
