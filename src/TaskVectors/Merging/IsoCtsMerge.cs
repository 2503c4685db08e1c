// IsoCtsMerge: Iso-CTS (Marczak et al., ICML 2025; official code github.com/danielm1405/iso-merging, iso_cts): for a
// 2-D tensor of rank r = min(m, n): the common subspace is the top c singular directions of Δ = Σ_t τ_t, with
// c = r − round((r − ⌊r·f⌋)/T)·T (f the common-space fraction); each task adds its top s = (r − c)/T directions of
// τ_t projected off the common left subspace, τ_t − U_c U_cᵀ τ_t; the stacked U and V are orthogonalized (polar
// factor) and every singular value set to the mean of the r gathered ones. Other tensors are averaged.
using MathNet.Numerics.LinearAlgebra;

namespace TaskVectors.Merging;

/// <summary>Iso-CTS ("iso_cts"): isotropic merge over the common subspace plus task-specific subspaces (see the file comment).</summary>
public sealed class IsoCtsMerge : IMergeMethod
{
    /// <summary>Creates the method with common-space fraction <see cref="MergeOptions.CommonSpaceFraction"/>.</summary>
    public IsoCtsMerge(MergeOptions? options = null) => Options = options ?? new MergeOptions();

    /// <summary>The options (<see cref="MergeOptions.CommonSpaceFraction"/>).</summary>
    public MergeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "iso_cts";

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Shape.Length != 2 || tensor.Length == 0)
        {
            MergeKernels.Mean(tensor, destination);
            return;
        }
        int rows = tensor.Shape[0], cols = tensor.Shape[1], r = Math.Min(rows, cols), tasks = tensor.TaskCount;
        int common = (int)(r * Options.CommonSpaceFraction);
        common = r - (int)Math.Round((r - common) / (double)tasks, MidpointRounding.ToEven) * tasks;
        int perTask = (r - common) / tasks;

        MergeKernels.Sum(tensor, destination);
        var (u, s, vt) = MatrixMath.ThinSvd(MatrixMath.FromRowMajor(destination, rows, cols));
        var uc = u.SubMatrix(0, rows, 0, common);
        var gatheredU = Matrix<double>.Build.Dense(rows, r);
        var gatheredVt = Matrix<double>.Build.Dense(r, cols);
        var gatheredS = Vector<double>.Build.Dense(r);
        for (int t = 0; t < tasks && perTask > 0; t++)
        {
            var w = MatrixMath.FromRowMajor(tensor.Task(t), rows, cols);
            var (ut, st, vtt) = MatrixMath.ThinSvd(w - uc * (uc.TransposeThisAndMultiply(w)));
            gatheredU.SetSubMatrix(0, t * perTask, ut.SubMatrix(0, rows, 0, perTask));
            gatheredVt.SetSubMatrix(t * perTask, 0, vtt.SubMatrix(0, perTask, 0, cols));
            gatheredS.SetSubVector(t * perTask, perTask, st.SubVector(0, perTask));
        }
        int offset = tasks * perTask;
        if (common > 0)
        {
            gatheredU.SetSubMatrix(0, offset, uc);
            gatheredVt.SetSubMatrix(offset, 0, vt.SubMatrix(0, common, 0, cols));
            gatheredS.SetSubVector(offset, common, s.SubVector(0, common));
        }
        var merged = gatheredS.Average() * (MatrixMath.Polar(gatheredU) * MatrixMath.Polar(gatheredVt));
        MatrixMath.ToRowMajor(merged, destination);
    }
}
