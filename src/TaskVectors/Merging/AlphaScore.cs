// AlphaScore: one point of an α sweep.
namespace TaskVectors.Merging;

/// <summary>An accuracy measured at one α (validation sweeps; negation's target and control).</summary>
public sealed record AlphaScore(float Alpha, double Accuracy, double? Control = null);
