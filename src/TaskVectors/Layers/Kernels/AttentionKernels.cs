// AttentionKernels: scaled dot-product attention for one (batch, head) pair. Q, K, V and O are
// strided (T, D) slices of (B, T, H·D) tensors (row stride ld = H·D, so heads are addressed in
// place, never copied); P and the score scratch are dense (T, T). Forward: P = softmax(α·Q Kᵀ + mask
// bias), O = P V. Backward and JVP as documented per method. Every product goes through the GEMM
// seam; each fast kernel has a naive *Reference twin (double accumulation) that tests compare against.
using System.Numerics.Tensors;
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Per-head attention kernels over spans. Slices start at the head's first element: for batch b and
/// head h of a (B, T, H·D) tensor that is offset b·T·H·D + h·D with row stride ld = H·D.
/// A key mask is a length-T span of 0/1 floats (1 = attend, 0 = padding) or empty for no mask; every
/// row must keep at least one unmasked key. Caller-owned outputs; nothing is allocated.
/// </summary>
public static class AttentionKernels
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
        int tt = seq * seq;
        // dV (T × D) = Pᵀ (T × T) · dO (T × D)
        gemm.Sgemm(Transpose.Transpose, Transpose.None, seq, headDim, seq, 1f, probs, seq, gradOutput, ld, 0f, gradV, ld);
        // dP (T × T) = dO (T × D) · Vᵀ (D × T)
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, 1f, gradOutput, ld, v, ld, 0f, gradScores, seq);
        // Through the softmax; masked keys have P = 0, so their dS is 0 and no gradient reaches them.
        Softmax.BackwardRows(probs[..tt], gradScores[..tt], gradScores[..tt], seq, seq);
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
        int tt = seq * seq;
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, alpha, tanQ, ld, k, ld, 0f, tanScores, seq);
        gemm.Sgemm(Transpose.None, Transpose.Transpose, seq, seq, headDim, alpha, q, ld, tanK, ld, 1f, tanScores, seq);
        // The softmax Jacobian diag(p) − p pᵀ is symmetric, so its JVP is the backward formula.
        Softmax.BackwardRows(probs[..tt], tanScores[..tt], tanScores[..tt], seq, seq);
        gemm.Sgemm(Transpose.None, Transpose.None, seq, headDim, seq, 1f, tanScores, seq, v, ld, 0f, tanOutput, ld);
        gemm.Sgemm(Transpose.None, Transpose.None, seq, headDim, seq, 1f, probs, seq, tanV, ld, 1f, tanOutput, ld);
    }

    /// <summary>
    /// In place, per row r of a rows × cols matrix: x[r, j] ← exp(x[r, j] − m_r) / Σ_{k unmasked} exp(x[r, k] − m_r)
    /// for unmasked j and 0 for masked j, m_r = max over unmasked keys. <paramref name="keyMask"/> has cols
    /// entries (0 = masked) or is empty; at least one key must be unmasked.
    /// </summary>
    public static void MaskedSoftmaxRows(Span<float> x, ReadOnlySpan<float> keyMask, int rows, int cols)
    {
        CheckMatrix(x.Length, keyMask.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            float max;
            if (keyMask.IsEmpty) max = TensorPrimitives.Max(row);
            else
            {
                max = float.NegativeInfinity;
                for (int j = 0; j < cols; j++)
                    if (keyMask[j] != 0f && row[j] > max) max = row[j];
                if (float.IsNegativeInfinity(max))
                    throw new ArgumentException($"Every key of score row {r} is masked; at least one key must be unmasked.", nameof(keyMask));
                // Masked scores become the max so exp cannot overflow; they are zeroed after it.
                for (int j = 0; j < cols; j++)
                    if (keyMask[j] == 0f) row[j] = max;
            }
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, row);
            if (!keyMask.IsEmpty)
                for (int j = 0; j < cols; j++)
                    if (keyMask[j] == 0f) row[j] = 0f;
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }

    /// <summary>
    /// Reference twin of <see cref="MaskedSoftmaxRows"/> with Hugging Face's semantics: masked keys get the
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
