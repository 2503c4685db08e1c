// IsoCMerge: Iso-C (Marczak et al., ICML 2025, "No Task Left Behind: Isotropic Model Merging with Common and
// Task-Specific Subspaces"; official code github.com/danielm1405/iso-merging, iso_c): for each 2-D tensor,
// Δ = Σ_t τ_t = U·diag(σ)·Vᵀ and τ* = σ̄·U·Vᵀ with σ̄ the mean singular value (a flat spectrum); other tensors are
// averaged, (1/T) Σ_t τ_t, as in the official code.
using MathNet.Numerics.LinearAlgebra;

namespace TaskVectors.Merging;

/// <summary>Iso-C ("iso_c"): τ*[W] = mean(σ(Σ_t τ_t[W]))·U·Vᵀ for matrices, (1/T) Σ_t τ_t for other tensors.</summary>
public sealed class IsoCMerge : IMergeMethod
{
    /// <inheritdoc />
    public string Name => "iso_c";

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Shape.Length != 2 || tensor.Length == 0)
        {
            MergeKernels.Mean(tensor, destination);
            return;
        }
        MergeKernels.Sum(tensor, destination);
        var (u, s, vt) = MatrixMath.ThinSvd(MatrixMath.FromRowMajor(destination, tensor.Shape[0], tensor.Shape[1]));
        MatrixMath.ToRowMajor(s.Average() * (u * vt), destination);
    }
}
