// KroneckerMember: one KFAC layer (Linear, patch embedding) inside a KFAC block: its weight (out × in) and optional bias (out)
// parameter names and its output width. A fused q/k/v block has three members sharing one input.
namespace TaskVectors.Curvature;

/// <summary>A KFAC layer (a Linear, a patch embedding) covered by a <see cref="KroneckerBlockSpec"/>.</summary>
/// <param name="Weight">Name of the weight W (OutFeatures × in).</param>
/// <param name="Bias">Name of the bias b (OutFeatures), or null when the layer has none.</param>
/// <param name="OutFeatures">Output width of this member: its rows of the block's stacked ΔW.</param>
internal sealed record KroneckerMember(string Weight, string? Bias, int OutFeatures)
{
    /// <summary>
    /// Whether a parameter value fits <paramref name="shape"/>: exactly, or — for a weight (rows × cols) — as a convolution
    /// kernel (rows, C, k, k) with C·k·k = cols, which its block reads as the row-major (rows × cols) matrix.
    /// </summary>
    internal static bool Fits(Tensors.Tensor value, ReadOnlySpan<int> shape) =>
        value.HasShape(shape) || (shape.Length == 2 && value.Rank > 2 && value.Dim(0) == shape[0] && value.Length == shape[0] * shape[1]);
}
