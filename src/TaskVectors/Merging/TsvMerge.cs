// TsvMerge: TSV-Merge (Gargiulo et al., CVPR 2025, "Task Singular Vectors: Reducing Task Interference in Model
// Merging"; official code github.com/AntoAndGar/task_singular_vectors, compute_and_sum_svd_mem_reduction): for a 2-D
// tensor of rank r, each task keeps its top s = ⌊r/T⌋ singular triplets of τ_t; the stacked U (m × T·s) and V
// (n × T·s) are orthogonalized by their polar factors U⊥, V⊥, and τ* = U⊥·diag(σ_stacked)·V⊥ᵀ. Other tensors are averaged.
using MathNet.Numerics.LinearAlgebra;

namespace TaskVectors.Merging;

/// <summary>TSV-Merge ("tsv"): decorrelated sum of the tasks' low-rank singular components (see the file comment).</summary>
public sealed class TsvMerge : IMergeMethod
{
    /// <inheritdoc />
    public string Name => "tsv";

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int tasks = tensor.TaskCount;
        if (tensor.Shape.Length != 2 || tensor.Length == 0)
        {
            MergeKernels.Mean(tensor, destination);
            return;
        }
        if (Math.Min(tensor.Shape[0], tensor.Shape[1]) < tasks)
        {
            destination.Clear(); // ⌊r/T⌋ = 0 components per task: the official code's stacked matrices are all zero.
            return;
        }
        int rows = tensor.Shape[0], cols = tensor.Shape[1], s = Math.Min(rows, cols) / tasks;
        var stackedU = Matrix<double>.Build.Dense(rows, tasks * s);
        var stackedVt = Matrix<double>.Build.Dense(tasks * s, cols);
        var stackedS = Vector<double>.Build.Dense(tasks * s);
        for (int t = 0; t < tasks; t++)
        {
            var (u, sv, vt) = MatrixMath.ThinSvd(MatrixMath.FromRowMajor(tensor.Task(t), rows, cols));
            stackedU.SetSubMatrix(0, t * s, u.SubMatrix(0, rows, 0, s));
            stackedVt.SetSubMatrix(t * s, 0, vt.SubMatrix(0, s, 0, cols));
            stackedS.SetSubVector(t * s, s, sv.SubVector(0, s));
        }
        var merged = MatrixMath.Polar(stackedU) * Matrix<double>.Build.DiagonalOfDiagonalVector(stackedS) * MatrixMath.Polar(stackedVt);
        MatrixMath.ToRowMajor(merged, destination);
    }
}
