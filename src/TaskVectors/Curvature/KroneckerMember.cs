// KroneckerMember: one Linear layer inside a KFAC block: its weight (out × in) and optional bias (out)
// parameter names and its output width. A fused q/k/v block has three members sharing one input.
namespace TaskVectors.Curvature;

/// <summary>A Linear layer covered by a <see cref="KroneckerBlockSpec"/>.</summary>
/// <param name="Weight">Name of the weight W (OutFeatures × in).</param>
/// <param name="Bias">Name of the bias b (OutFeatures), or null when the layer has none.</param>
/// <param name="OutFeatures">Output width of this member: its rows of the block's stacked ΔW.</param>
public sealed record KroneckerMember(string Weight, string? Bias, int OutFeatures);
