// AttentionKernels: scaled dot-product attention for one (batch, head) pair. Q, K, V and O are
// strided (T, D) slices of (B, T, H·D) tensors (row stride ld = H·D, so heads are addressed in
// place, never copied); P and the score scratch are dense (T, T). Forward: P = softmax(α·Q Kᵀ + mask
// bias), O = P V. Backward and JVP as documented per method. Every product goes through the GEMM
// seam; each fast kernel has a naive *Reference twin (double accumulation) that tests compare against.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TaskVectors.Blas;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Per-head attention kernels over spans. Slices start at the head's first element: for batch b and
/// head h of a (B, T, H·D) tensor that is offset b·T·H·D + h·D with row stride ld = H·D.
/// A key mask is a length-T span of 0/1 floats (1 = attend, 0 = padding) or empty for no mask; every
/// row must keep at least one unmasked key. Caller-owned outputs; nothing is allocated.
/// </summary>
internal static class AttentionKernels
{
    /// <summary>
    /// Forward: S = α · Q Kᵀ, P = softmax over keys of S with masked keys at probability exactly 0,
    /// O = P V. Writes <paramref name="probs"/> (T × T, dense) and <paramref name="output"/> (T × D, stride ld).
    /// </summary>
    public static void ForwardHead(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int ld,
        ReadOnlySpan<float> keyMask, Span<float> probs, Span<float> output, int seq, int headDim, float alpha)
    {
        var gemm = Gemm.Default;
        // S (T × T) = α · Q (T × D) · Kᵀ (D × T)
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, alpha, q, ld, k, ld, 0f, probs, seq);
        MaskedSoftmaxRows(probs, keyMask, seq, seq);
        // O (T × D) = P (T × T) · V (T × D)
        gemm.Sgemm(Transpose.None, Transpose.None, seq, headDim, seq, 1f, probs, seq, v, ld, 0f, output, ld);
    }

    /// <summary>
    /// Backward of <see cref="ForwardHead"/> given dO = ∂L/∂O: dV = Pᵀ dO, dP = dO Vᵀ,
    /// dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = α · dS K, dK = α · dSᵀ Q. dQ, dK, dV are overwritten
    /// (stride ld); <paramref name="gradScores"/> is T × T scratch.
    /// </summary>
    public static void BackwardHead(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int ld,
        ReadOnlySpan<float> probs, ReadOnlySpan<float> gradOutput, Span<float> gradScores,
        Span<float> gradQ, Span<float> gradK, Span<float> gradV, int seq, int headDim, float alpha)
    {
        var gemm = Gemm.Default;
        // dV (T × D) = Pᵀ (T × T) · dO (T × D)
        gemm.Sgemm(Transpose.Transpose, Transpose.None, seq, headDim, seq, 1f, probs, seq, gradOutput, ld, 0f, gradV, ld);
        // dP (T × T) = dO (T × D) · Vᵀ (D × T)
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, 1f, gradOutput, ld, v, ld, 0f, gradScores, seq);
        // Through the softmax; masked keys have P = 0, so their dS is 0 and no gradient reaches them.
        SoftmaxBackwardRows(probs, gradScores, seq, seq);
        // dQ = α · dS K, dK = α · dSᵀ Q (α is the 1/√D of S = α Q Kᵀ)
        gemm.Sgemm(Transpose.None, Transpose.None, seq, headDim, seq, alpha, gradScores, seq, k, ld, 0f, gradQ, ld);
        gemm.Sgemm(Transpose.Transpose, Transpose.None, seq, headDim, seq, alpha, gradScores, seq, q, ld, 0f, gradK, ld);
    }

    /// <summary>
    /// Tangent of <see cref="ForwardHead"/> given P from it and tangents Q̇, K̇, V̇ (stride ld):
    /// Ṡ = α (Q̇ Kᵀ + Q K̇ᵀ), Ṗ = P ⊙ (Ṡ − rowsum(P ⊙ Ṡ)), Ȯ = Ṗ V + P V̇. Writes Ȯ (stride ld);
    /// <paramref name="tanScores"/> is T × T scratch and holds Ṗ afterwards.
    /// </summary>
    public static void JvpHead(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> tanQ, ReadOnlySpan<float> tanK, ReadOnlySpan<float> tanV, int ld,
        ReadOnlySpan<float> probs, Span<float> tanScores, Span<float> tanOutput, int seq, int headDim, float alpha)
    {
        var gemm = Gemm.Default;
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, alpha, tanQ, ld, k, ld, 0f, tanScores, seq);
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, alpha, q, ld, tanK, ld, 1f, tanScores, seq);
        // The softmax Jacobian diag(p) − p pᵀ is symmetric, so its JVP is the backward formula.
        SoftmaxBackwardRows(probs, tanScores, seq, seq);
        gemm.Sgemm(Transpose.None, Transpose.None, seq, headDim, seq, 1f, tanScores, seq, v, ld, 0f, tanOutput, ld);
        gemm.Sgemm(Transpose.None, Transpose.None, seq, headDim, seq, 1f, probs, seq, tanV, ld, 1f, tanOutput, ld);
    }

    /// <summary>
    /// In place, per row r of a rows × cols matrix: x[r, j] ← exp(x[r, j] − m_r) / Σ_{k unmasked} exp(x[r, k] − m_r)
    /// for unmasked j and exactly 0 for masked j, m_r = max over unmasked keys. <paramref name="keyMask"/> has
    /// cols entries, each 1 (attend) or 0 (masked), or is empty for no mask; at least one key must be unmasked.
    /// </summary>
    public static void MaskedSoftmaxRows(Span<float> x, ReadOnlySpan<float> keyMask, int rows, int cols) =>
        MaskedSoftmaxRows(x, keyMask, rows, cols, Vector512.IsHardwareAccelerated);

    /// <summary>
    /// <see cref="MaskedSoftmaxRows(Span{float}, ReadOnlySpan{float}, int, int)"/> with the kernel chosen: wide runs
    /// each row in one fused Vector512 pass (max, then exp and sum, then scale); otherwise TensorPrimitives passes.
    /// The exponentials round alike; the sums are taken in another order, so the two differ in the last bits.
    /// </summary>
    internal static void MaskedSoftmaxRows(Span<float> x, ReadOnlySpan<float> keyMask, int rows, int cols, bool wide)
    {
        CheckMatrix(x.Length, keyMask.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            if (wide)
            {
                SoftmaxRow512(row, keyMask, r);
                continue;
            }
            if (keyMask.IsEmpty)
            {
                TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
                TensorPrimitives.Exp(row, row);
            }
            else
            {
                float max = MaskedMax(row, keyMask);
                if (float.IsNegativeInfinity(max))
                    throw new ArgumentException($"Every key of score row {r} is masked; at least one key must be unmasked.", nameof(keyMask));
                // min(x − max, 0) only changes masked scores above the unmasked maximum, whose exp could
                // overflow to ∞ (and ∞ · 0 is NaN); the mask product then makes masked entries exactly 0.
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Min(row, 0f, row);
                TensorPrimitives.Exp(row, row);
                TensorPrimitives.Multiply(row, keyMask, row);
            }
            // Separate TensorPrimitives passes: a fused loop over Vector.Exp measured no faster at T = 50.
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }

    /// <summary>
    /// Softmax backward (and, since the Jacobian is symmetric, its JVP) per row, in place:
    /// g[r, j] ← p[r, j] · (g[r, j] − Σ_k g[r, k] p[r, k]).
    /// </summary>
    public static void SoftmaxBackwardRows(ReadOnlySpan<float> probs, Span<float> grad, int rows, int cols)
    {
        CheckMatrix(grad.Length, 0, rows, cols);
        if (probs.Length < rows * cols) throw new ArgumentException($"Probabilities of {probs.Length} elements do not hold {rows}×{cols}.", nameof(probs));
        for (int r = 0; r < rows; r++)
        {
            var p = probs.Slice(r * cols, cols);
            var g = grad.Slice(r * cols, cols);
            // (g − ⟨g, p⟩) ⊙ p in one fused pass after the dot product.
            TensorPrimitives.AddMultiply(g, -TensorPrimitives.Dot(g, p), p, g);
        }
    }

    // One row in Vector512 lanes: m = max over unmasked keys; e = exp(min(x − m, 0))·mask (e = exp(x − m) without a
    // mask), written back with Σ e; then x ← e · (1/Σ e). The ragged tail runs as a full vector over a zero-padded
    // copy with its padding lanes dropped, so every element takes the same arithmetic.
    private static void SoftmaxRow512(Span<float> row, ReadOnlySpan<float> mask, int r)
    {
        const int W = 16;
        int n = row.Length, full = n - n % W;
        bool masked = !mask.IsEmpty;
        ref float x0 = ref MemoryMarshal.GetReference(row);
        ref float m0 = ref MemoryMarshal.GetReference(mask);
        Span<float> tail = stackalloc float[W];
        Span<float> tailMask = stackalloc float[W];
        tail.Clear();
        tailMask.Clear();
        row[full..].CopyTo(tail);
        if (masked) mask[full..].CopyTo(tailMask);
        else tailMask[..(n - full)].Fill(1f);
        var negInf = Vector512.Create(float.NegativeInfinity);

        var vmax = negInf;
        for (int j = 0; j < full; j += W)
        {
            var v = Vector512.LoadUnsafe(ref x0, (nuint)j);
            if (masked) v = Vector512.ConditionalSelect(Vector512.Equals(Vector512.LoadUnsafe(ref m0, (nuint)j), Vector512<float>.Zero), negInf, v);
            vmax = Vector512.Max(vmax, v);
        }
        var tailValues = Vector512.Create((ReadOnlySpan<float>)tail);
        var tailKeep = Vector512.Create((ReadOnlySpan<float>)tailMask);
        vmax = Vector512.Max(vmax, Vector512.ConditionalSelect(Vector512.Equals(tailKeep, Vector512<float>.Zero), negInf, tailValues));
        float max = HorizontalMax(vmax);
        if (float.IsNegativeInfinity(max))
            throw new ArgumentException($"Every key of score row {r} is masked; at least one key must be unmasked.", "keyMask");

        var shift = Vector512.Create(max);
        var sum = Vector512<float>.Zero;
        for (int j = 0; j < full; j += W)
        {
            var e = Vector512.Exp(Vector512.Min(Vector512.LoadUnsafe(ref x0, (nuint)j) - shift, Vector512<float>.Zero));
            if (masked) e *= Vector512.LoadUnsafe(ref m0, (nuint)j);
            e.StoreUnsafe(ref x0, (nuint)j);
            sum += e;
        }
        var tailE = Vector512.Exp(Vector512.Min(tailValues - shift, Vector512<float>.Zero)) * tailKeep;
        sum += tailE;
        var scale = Vector512.Create(1f / Vector512.Sum(sum));
        for (int j = 0; j < full; j += W) (Vector512.LoadUnsafe(ref x0, (nuint)j) * scale).StoreUnsafe(ref x0, (nuint)j);
        if (full < n)
        {
            (tailE * scale).CopyTo(tail);
            tail[..(n - full)].CopyTo(row[full..]);
        }
    }

    private static float HorizontalMax(Vector512<float> v)
    {
        var half = Vector256.Max(v.GetLower(), v.GetUpper());
        var quarter = Vector128.Max(half.GetLower(), half.GetUpper());
        return MathF.Max(MathF.Max(quarter[0], quarter[1]), MathF.Max(quarter[2], quarter[3]));
    }

    // max_j over keys with mask[j] ≠ 0, or −∞ when every key is masked.
    private static float MaskedMax(ReadOnlySpan<float> row, ReadOnlySpan<float> mask)
    {
        int i = 0, n = row.Length;
        float max = float.NegativeInfinity;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            ref float r0 = ref MemoryMarshal.GetReference(row);
            ref float m0 = ref MemoryMarshal.GetReference(mask);
            var negInf = new Vector<float>(float.NegativeInfinity);
            var acc = negInf;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var masked = Vector.Equals(Vector.LoadUnsafe(ref m0, (nuint)i), Vector<float>.Zero);
                acc = Vector.Max(acc, Vector.ConditionalSelect(masked, negInf, Vector.LoadUnsafe(ref r0, (nuint)i)));
            }
            for (int lane = 0; lane < Vector<float>.Count; lane++) max = MathF.Max(max, acc[lane]);
        }
        for (; i < n; i++)
            if (mask[i] != 0f && row[i] > max) max = row[i];
        return max;
    }

    /// <summary>
    /// Reference twin of <see cref="MaskedSoftmaxRows(Span{float}, ReadOnlySpan{float}, int, int)"/> with Hugging Face's semantics: masked keys get the
    /// additive bias float.MinValue, exponentials and sums in double precision.
    /// </summary>
    public static void MaskedSoftmaxRowsReference(Span<float> x, ReadOnlySpan<float> keyMask, int rows, int cols)
    {
        CheckMatrix(x.Length, keyMask.Length, rows, cols);
        var biased = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < cols; j++)
            {
                biased[j] = x[r * cols + j] + (keyMask.IsEmpty || keyMask[j] != 0f ? 0.0 : float.MinValue);
                max = Math.Max(max, biased[j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += biased[j] = Math.Exp(biased[j] - max);
            for (int j = 0; j < cols; j++) x[r * cols + j] = (float)(biased[j] / sum);
        }
    }

    /// <summary>Reference twin of <see cref="SoftmaxBackwardRows"/>: double accumulation, element by element.</summary>
    public static void SoftmaxBackwardRowsReference(ReadOnlySpan<float> probs, Span<float> grad, int rows, int cols)
    {
        CheckMatrix(grad.Length, 0, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += (double)grad[r * cols + j] * probs[r * cols + j];
            for (int j = 0; j < cols; j++) grad[r * cols + j] = (float)(probs[r * cols + j] * (grad[r * cols + j] - dot));
        }
    }

    /// <summary>Reference twin of <see cref="ForwardHead"/>: direct loops, double accumulation.</summary>
    public static void ForwardHeadReference(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int ld,
        ReadOnlySpan<float> keyMask, Span<float> probs, Span<float> output, int seq, int headDim, float alpha)
    {
        for (int i = 0; i < seq; i++)
            for (int j = 0; j < seq; j++)
            {
                double s = 0;
                for (int d = 0; d < headDim; d++) s += (double)q[i * ld + d] * k[j * ld + d];
                probs[i * seq + j] = (float)(alpha * s);
            }
        MaskedSoftmaxRowsReference(probs[..(seq * seq)], keyMask, seq, seq);
        for (int i = 0; i < seq; i++)
            for (int d = 0; d < headDim; d++)
            {
                double s = 0;
                for (int j = 0; j < seq; j++) s += (double)probs[i * seq + j] * v[j * ld + d];
                output[i * ld + d] = (float)s;
            }
    }

    /// <summary>Reference twin of <see cref="BackwardHead"/>: direct loops, double accumulation.</summary>
    public static void BackwardHeadReference(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int ld,
        ReadOnlySpan<float> probs, ReadOnlySpan<float> gradOutput, Span<float> gradScores,
        Span<float> gradQ, Span<float> gradK, Span<float> gradV, int seq, int headDim, float alpha)
    {
        for (int j = 0; j < seq; j++)
            for (int d = 0; d < headDim; d++)
            {
                double s = 0;
                for (int i = 0; i < seq; i++) s += (double)probs[i * seq + j] * gradOutput[i * ld + d];
                gradV[j * ld + d] = (float)s;
            }
        for (int i = 0; i < seq; i++)
        {
            var gp = new double[seq];
            double dot = 0;
            for (int j = 0; j < seq; j++)
            {
                double s = 0;
                for (int d = 0; d < headDim; d++) s += (double)gradOutput[i * ld + d] * v[j * ld + d];
                gp[j] = s;
                dot += s * probs[i * seq + j];
            }
            for (int j = 0; j < seq; j++) gradScores[i * seq + j] = (float)(probs[i * seq + j] * (gp[j] - dot));
        }
        for (int i = 0; i < seq; i++)
            for (int d = 0; d < headDim; d++)
            {
                double sq = 0, sk = 0;
                for (int j = 0; j < seq; j++)
                {
                    sq += (double)gradScores[i * seq + j] * k[j * ld + d];
                    sk += (double)gradScores[j * seq + i] * q[j * ld + d];
                }
                gradQ[i * ld + d] = (float)(alpha * sq);
                gradK[i * ld + d] = (float)(alpha * sk);
            }
    }

    /// <summary>Reference twin of <see cref="JvpHead"/>: direct loops, double accumulation.</summary>
    public static void JvpHeadReference(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> tanQ, ReadOnlySpan<float> tanK, ReadOnlySpan<float> tanV, int ld,
        ReadOnlySpan<float> probs, Span<float> tanScores, Span<float> tanOutput, int seq, int headDim, float alpha)
    {
        for (int i = 0; i < seq; i++)
        {
            var ts = new double[seq];
            double dot = 0;
            for (int j = 0; j < seq; j++)
            {
                double s = 0;
                for (int d = 0; d < headDim; d++)
                    s += (double)tanQ[i * ld + d] * k[j * ld + d] + (double)q[i * ld + d] * tanK[j * ld + d];
                ts[j] = alpha * s;
                dot += ts[j] * probs[i * seq + j];
            }
            for (int j = 0; j < seq; j++) tanScores[i * seq + j] = (float)(probs[i * seq + j] * (ts[j] - dot));
        }
        for (int i = 0; i < seq; i++)
            for (int d = 0; d < headDim; d++)
            {
                double s = 0;
                for (int j = 0; j < seq; j++)
                    s += (double)tanScores[i * seq + j] * v[j * ld + d] + (double)probs[i * seq + j] * tanV[j * ld + d];
                tanOutput[i * ld + d] = (float)s;
            }
    }

    private static void CheckMatrix(int length, int maskLength, int rows, int cols)
    {
        if (rows < 0 || cols <= 0 || length < rows * cols)
            throw new ArgumentException($"A span of {length} elements does not hold a {rows}×{cols} score matrix.");
        if (maskLength != 0 && maskLength != cols)
            throw new ArgumentException($"A key mask of {maskLength} entries does not match {cols} keys.");
    }
}
