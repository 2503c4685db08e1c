// EmbeddingKernels: row gather from an embedding table and its adjoint, the scatter-add of output
// gradients into the table's gradient. table (V, D), ids (N), rows (N, D).
using System.Numerics.Tensors;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Gather: rows[n, :] = table[ids[n], :]. Scatter-add: gradTable[ids[n], :] += gradRows[n, :], applied in
/// increasing n so repeated ids sum in a fixed order (bitwise deterministic results). Ids must already
/// be validated to lie in [0, V).
/// </summary>
internal static class EmbeddingKernels
{
    /// <summary>rows[n, :] = table[ids[n], :] for 0 ≤ n &lt; ids.Length.</summary>
    public static void Gather(ReadOnlySpan<float> table, ReadOnlySpan<int> ids, Span<float> rows, int dim)
    {
        Check(table.Length, ids.Length, rows.Length, dim);
        for (int n = 0; n < ids.Length; n++)
            table.Slice(ids[n] * dim, dim).CopyTo(rows.Slice(n * dim, dim));
    }

    /// <summary>gradTable[ids[n], :] += gradRows[n, :] for n = 0, 1, … in order.</summary>
    public static void ScatterAdd(ReadOnlySpan<float> gradRows, ReadOnlySpan<int> ids, Span<float> gradTable, int dim)
    {
        Check(gradTable.Length, ids.Length, gradRows.Length, dim);
        for (int n = 0; n < ids.Length; n++)
        {
            var target = gradTable.Slice(ids[n] * dim, dim);
            TensorPrimitives.Add(target, gradRows.Slice(n * dim, dim), target);
        }
    }

    /// <summary>Reference twin of <see cref="Gather"/>: one element at a time.</summary>
    public static void GatherReference(ReadOnlySpan<float> table, ReadOnlySpan<int> ids, Span<float> rows, int dim)
    {
        Check(table.Length, ids.Length, rows.Length, dim);
        for (int n = 0; n < ids.Length; n++)
            for (int d = 0; d < dim; d++) rows[n * dim + d] = table[ids[n] * dim + d];
    }

    /// <summary>Reference twin of <see cref="ScatterAdd"/>: one element at a time, same order.</summary>
    public static void ScatterAddReference(ReadOnlySpan<float> gradRows, ReadOnlySpan<int> ids, Span<float> gradTable, int dim)
    {
        Check(gradTable.Length, ids.Length, gradRows.Length, dim);
        for (int n = 0; n < ids.Length; n++)
            for (int d = 0; d < dim; d++) gradTable[ids[n] * dim + d] += gradRows[n * dim + d];
    }

    private static void Check(int tableLength, int count, int rowsLength, int dim)
    {
        if (dim <= 0 || tableLength % dim != 0)
            throw new ArgumentException($"A table of {tableLength} elements is not a whole number of rows of width {dim}.");
        if (rowsLength != (long)count * dim)
            throw new ArgumentException($"{count} ids need {(long)count * dim} row elements; got {rowsLength}.");
    }
}
