// LayerNormKernels: layer normalization over the last axis of a (rows, C) matrix — forward
// x (rows, C) -> y (rows, C) with per-row mean and rstd (rows); backward gy (rows, C) -> gx (rows, C)
// plus γ/β gradients (C); tangent ẋ (rows, C), γ̇, β̇ (C) -> ẏ (rows, C). Fast kernels run Vector512
// lanes where accelerated, then Vector256 lanes, then a scalar tail per row; each has a naive
// double-precision *Reference twin. Element-wise steps round the same at either width; the row sums
// (μ, σ², and the backward/tangent means) are summed in 16 lanes folded to 8 instead of 8 lanes, so the
// two widths differ in the last bits (tests: within 2e-6 relative of each other and of the twins).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Layer normalization kernels over row-major (rows, C) spans; caller-owned outputs, no allocation.
/// Per row r: μ = (1/C) Σⱼ xⱼ, σ² = (1/C) Σⱼ (xⱼ − μ)² (biased, two passes so nothing cancels),
/// ρ = 1/√(σ² + ε), x̂ⱼ = (xⱼ − μ)·ρ, yⱼ = x̂ⱼ·γⱼ + βⱼ.
/// </summary>
internal static class LayerNormKernels
{
    /// <summary>
    /// y = x̂·γ + β per row; writes μ to <paramref name="mean"/> and ρ to <paramref name="rstd"/> (one per row).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> mean, Span<float> rstd, int rows, int cols, float eps) =>
        Forward(x, gamma, beta, y, mean, rstd, rows, cols, eps, Wide);

    /// <summary>Whether the kernels run Vector512 lanes here (the parameterless overloads' choice).</summary>
    internal static bool Wide => Vector512.IsHardwareAccelerated;

    /// <summary><see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int, float)"/> with the lane width chosen (tests compare both).</summary>
    internal static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> mean, Span<float> rstd, int rows, int cols, float eps, bool wide)
    {
        Check(x.Length, rows, cols, gamma.Length, mean.Length, rstd.Length);
        CheckSame(x.Length, y.Length, beta.Length, cols);
        ref float g = ref MemoryMarshal.GetReference(gamma);
        ref float b = ref MemoryMarshal.GetReference(beta);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(r * cols, cols));
            ref float yr = ref MemoryMarshal.GetReference(y.Slice(r * cols, cols));
            float m = Sum(ref xr, cols, wide) / cols;
            float var = SumSquaredDeviations(ref xr, cols, m, wide) / cols;
            float rs = (float)(1.0 / Math.Sqrt((double)var + eps));
            mean[r] = m;
            rstd[r] = rs;
            int j = 0;
            if (wide)
            {
                var wm = Vector512.Create(m);
                var wr = Vector512.Create(rs);
                for (; j <= cols - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var xhat = (Vector512.LoadUnsafe(ref xr, (nuint)j) - wm) * wr;
                    (xhat * Vector512.LoadUnsafe(ref g, (nuint)j) + Vector512.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
                }
            }
            var vm = Vector256.Create(m);
            var vr = Vector256.Create(rs);
            for (; j <= cols - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vr;
                (xhat * Vector256.LoadUnsafe(ref g, (nuint)j) + Vector256.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
            }
            for (; j < cols; j++) Unsafe.Add(ref yr, j) = (Unsafe.Add(ref xr, j) - m) * rs * Unsafe.Add(ref g, j) + Unsafe.Add(ref b, j);
        }
    }

    /// <summary>
    /// Backward for the μ and ρ of the forward pass: with ĝ = gy·γ per row,
    /// gx = ρ·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) (overwritten); gradGamma += Σ_rows gy·x̂; gradBeta += Σ_rows gy.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> gradOutput, Span<float> gradInput, Span<float> gradGamma, Span<float> gradBeta, int rows, int cols) =>
        Backward(x, gamma, mean, rstd, gradOutput, gradInput, gradGamma, gradBeta, rows, cols, Wide);

    /// <summary><see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/> with the lane width chosen.</summary>
    internal static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> gradOutput, Span<float> gradInput, Span<float> gradGamma, Span<float> gradBeta, int rows, int cols, bool wide)
    {
        Check(x.Length, rows, cols, gamma.Length, mean.Length, rstd.Length);
        CheckSame(x.Length, gradOutput.Length, gradGamma.Length, cols);
        CheckSame(x.Length, gradInput.Length, gradBeta.Length, cols);
        ref float g = ref MemoryMarshal.GetReference(gamma);
        ref float dg = ref MemoryMarshal.GetReference(gradGamma);
        ref float db = ref MemoryMarshal.GetReference(gradBeta);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(r * cols, cols));
            ref float gyr = ref MemoryMarshal.GetReference(gradOutput.Slice(r * cols, cols));
            ref float gxr = ref MemoryMarshal.GetReference(gradInput.Slice(r * cols, cols));
            float m = mean[r], rs = rstd[r];
            var vm = Vector256.Create(m);
            var vr = Vector256.Create(rs);
            // Pass 1: Σ ĝ and Σ ĝ·x̂.
            var (sumA, sumB) = RowSums(ref xr, ref gyr, ref g, scaleByGamma: true, m, rs, cols, wide);
            float meanA = sumA / cols, meanB = sumB / cols;
            var va = Vector256.Create(meanA);
            var vb = Vector256.Create(meanB);
            // Pass 2: gx, and the γ/β gradients.
            int j = 0;
            if (wide)
            {
                var wm = Vector512.Create(m);
                var wr = Vector512.Create(rs);
                var wa = Vector512.Create(meanA);
                var wb = Vector512.Create(meanB);
                for (; j <= cols - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var xhat = (Vector512.LoadUnsafe(ref xr, (nuint)j) - wm) * wr;
                    var gy = Vector512.LoadUnsafe(ref gyr, (nuint)j);
                    var gh = gy * Vector512.LoadUnsafe(ref g, (nuint)j);
                    (wr * (gh - wa - xhat * wb)).StoreUnsafe(ref gxr, (nuint)j);
                    (Vector512.LoadUnsafe(ref dg, (nuint)j) + gy * xhat).StoreUnsafe(ref dg, (nuint)j);
                    (Vector512.LoadUnsafe(ref db, (nuint)j) + gy).StoreUnsafe(ref db, (nuint)j);
                }
            }
            for (; j <= cols - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vr;
                var gy = Vector256.LoadUnsafe(ref gyr, (nuint)j);
                var gh = gy * Vector256.LoadUnsafe(ref g, (nuint)j);
                (vr * (gh - va - xhat * vb)).StoreUnsafe(ref gxr, (nuint)j);
                (Vector256.LoadUnsafe(ref dg, (nuint)j) + gy * xhat).StoreUnsafe(ref dg, (nuint)j);
                (Vector256.LoadUnsafe(ref db, (nuint)j) + gy).StoreUnsafe(ref db, (nuint)j);
            }
            for (; j < cols; j++)
            {
                float xhat = (Unsafe.Add(ref xr, j) - m) * rs;
                float gy = Unsafe.Add(ref gyr, j);
                float gh = gy * Unsafe.Add(ref g, j);
                Unsafe.Add(ref gxr, j) = rs * (gh - meanA - xhat * meanB);
                Unsafe.Add(ref dg, j) += gy * xhat;
                Unsafe.Add(ref db, j) += gy;
            }
        }
    }

    /// <summary>
    /// γ's gradient alone, summed over the rows: gradGamma[j] += Σ_r gy[r, j]·(x[r, j] − μ_r)·ρ_r. Over one sample's
    /// token rows this is that sample's gradient of γ (KFAC's dense LayerNorm blocks).
    /// </summary>
    public static void GammaGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> gradOutput, Span<float> gradGamma, int rows, int cols)
    {
        Check(x.Length, rows, cols, gradGamma.Length, mean.Length, rstd.Length);
        if (gradOutput.Length != x.Length) throw new ArgumentException($"gradOutput holds {gradOutput.Length} elements, not {rows}×{cols}.", nameof(gradOutput));
        ref float dg = ref MemoryMarshal.GetReference(gradGamma);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(r * cols, cols));
            ref float gyr = ref MemoryMarshal.GetReference(gradOutput.Slice(r * cols, cols));
            float m = mean[r], rs = rstd[r];
            var vm = Vector256.Create(m);
            var vr = Vector256.Create(rs);
            int j = 0;
            for (; j <= cols - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vr;
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref gyr, (nuint)j), xhat, Vector256.LoadUnsafe(ref dg, (nuint)j)).StoreUnsafe(ref dg, (nuint)j);
            }
            for (; j < cols; j++) Unsafe.Add(ref dg, j) += Unsafe.Add(ref gyr, j) * ((Unsafe.Add(ref xr, j) - m) * rs);
        }
    }

    /// <summary>
    /// Output tangent for the μ and ρ of the forward pass:
    /// ẏ = ρ·(ẋ − mean(ẋ) − x̂·mean(ẋ·x̂))·γ + x̂·γ̇ + β̇ (overwritten). An empty <paramref name="tanInput"/>,
    /// <paramref name="tanGamma"/> or <paramref name="tanBeta"/> stands for a zero tangent.
    /// </summary>
    public static void Tangent(ReadOnlySpan<float> x, ReadOnlySpan<float> tanInput, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> tanGamma, ReadOnlySpan<float> tanBeta, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        Span<float> tanOutput, int rows, int cols) =>
        Tangent(x, tanInput, gamma, tanGamma, tanBeta, mean, rstd, tanOutput, rows, cols, Wide);

    /// <summary><see cref="Tangent(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with the lane width chosen.</summary>
    internal static void Tangent(ReadOnlySpan<float> x, ReadOnlySpan<float> tanInput, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> tanGamma, ReadOnlySpan<float> tanBeta, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        Span<float> tanOutput, int rows, int cols, bool wide)
    {
        Check(x.Length, rows, cols, gamma.Length, mean.Length, rstd.Length);
        CheckOptional(tanInput.Length, x.Length, nameof(tanInput));
        CheckOptional(tanGamma.Length, cols, nameof(tanGamma));
        CheckOptional(tanBeta.Length, cols, nameof(tanBeta));
        if (tanOutput.Length != x.Length) throw new ArgumentException($"tanOutput holds {tanOutput.Length} elements, not {rows}×{cols}.", nameof(tanOutput));
        bool hasInput = !tanInput.IsEmpty, hasGamma = !tanGamma.IsEmpty, hasBeta = !tanBeta.IsEmpty;
        ref float g = ref MemoryMarshal.GetReference(gamma);
        // Absent tangents are skipped through loop-invariant flags (predictable branches); their null refs are never read.
        ref float tg = ref hasGamma ? ref MemoryMarshal.GetReference(tanGamma) : ref Unsafe.NullRef<float>();
        ref float tb = ref hasBeta ? ref MemoryMarshal.GetReference(tanBeta) : ref Unsafe.NullRef<float>();
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(r * cols, cols));
            ref float txr = ref hasInput ? ref MemoryMarshal.GetReference(tanInput.Slice(r * cols, cols)) : ref Unsafe.NullRef<float>();
            ref float tyr = ref MemoryMarshal.GetReference(tanOutput.Slice(r * cols, cols));
            float m = mean[r], rs = rstd[r];
            var vm = Vector256.Create(m);
            var vr = Vector256.Create(rs);
            float meanA = 0, meanB = 0;
            if (hasInput)
            {
                var (sumA, sumB) = RowSums(ref xr, ref txr, ref g, scaleByGamma: false, m, rs, cols, wide);
                meanA = sumA / cols;
                meanB = sumB / cols;
            }
            int j = 0;
            if (wide)
            {
                var wm = Vector512.Create(m);
                var wr = Vector512.Create(rs);
                var wa = Vector512.Create(meanA);
                var wb = Vector512.Create(meanB);
                for (; j <= cols - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var xhat = (Vector512.LoadUnsafe(ref xr, (nuint)j) - wm) * wr;
                    var ty = Vector512<float>.Zero;
                    if (hasInput) ty = wr * (Vector512.LoadUnsafe(ref txr, (nuint)j) - wa - xhat * wb) * Vector512.LoadUnsafe(ref g, (nuint)j);
                    if (hasGamma) ty += xhat * Vector512.LoadUnsafe(ref tg, (nuint)j);
                    if (hasBeta) ty += Vector512.LoadUnsafe(ref tb, (nuint)j);
                    ty.StoreUnsafe(ref tyr, (nuint)j);
                }
            }
            var va = Vector256.Create(meanA);
            var vb = Vector256.Create(meanB);
            for (; j <= cols - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vr;
                var ty = Vector256<float>.Zero;
                if (hasInput) ty = vr * (Vector256.LoadUnsafe(ref txr, (nuint)j) - va - xhat * vb) * Vector256.LoadUnsafe(ref g, (nuint)j);
                if (hasGamma) ty += xhat * Vector256.LoadUnsafe(ref tg, (nuint)j);
                if (hasBeta) ty += Vector256.LoadUnsafe(ref tb, (nuint)j);
                ty.StoreUnsafe(ref tyr, (nuint)j);
            }
            for (; j < cols; j++)
            {
                float xhat = (Unsafe.Add(ref xr, j) - m) * rs;
                float ty = 0;
                if (hasInput) ty = rs * (Unsafe.Add(ref txr, j) - meanA - xhat * meanB) * Unsafe.Add(ref g, j);
                if (hasGamma) ty += xhat * Unsafe.Add(ref tg, j);
                if (hasBeta) ty += Unsafe.Add(ref tb, j);
                Unsafe.Add(ref tyr, j) = ty;
            }
        }
    }

    /// <summary>Naive twin of <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int, float)"/>: statistics and outputs in double precision.</summary>
    public static void ForwardReference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> mean, Span<float> rstd, int rows, int cols, float eps)
    {
        Check(x.Length, rows, cols, gamma.Length, mean.Length, rstd.Length);
        CheckSame(x.Length, y.Length, beta.Length, cols);
        for (int r = 0; r < rows; r++)
        {
            var (m, rs) = StatsReference(x.Slice(r * cols, cols), eps);
            mean[r] = (float)m;
            rstd[r] = (float)rs;
            for (int j = 0; j < cols; j++) y[r * cols + j] = (float)((x[r * cols + j] - m) * rs * gamma[j] + beta[j]);
        }
    }

    /// <summary>Naive twin of <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/> in double precision (μ and ρ as given).</summary>
    public static void BackwardReference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> gradOutput, Span<float> gradInput, Span<float> gradGamma, Span<float> gradBeta, int rows, int cols)
    {
        Check(x.Length, rows, cols, gamma.Length, mean.Length, rstd.Length);
        CheckSame(x.Length, gradOutput.Length, gradGamma.Length, cols);
        CheckSame(x.Length, gradInput.Length, gradBeta.Length, cols);
        for (int r = 0; r < rows; r++)
        {
            double m = mean[r], rs = rstd[r], sumA = 0, sumB = 0;
            for (int j = 0; j < cols; j++)
            {
                double gh = (double)gradOutput[r * cols + j] * gamma[j];
                sumA += gh;
                sumB += gh * (x[r * cols + j] - m) * rs;
            }
            for (int j = 0; j < cols; j++)
            {
                double xhat = (x[r * cols + j] - m) * rs;
                double gy = gradOutput[r * cols + j];
                gradInput[r * cols + j] = (float)(rs * (gy * gamma[j] - sumA / cols - xhat * sumB / cols));
                gradGamma[j] += (float)(gy * xhat);
                gradBeta[j] += (float)gy;
            }
        }
    }

    /// <summary>Naive twin of <see cref="GammaGradient"/> in double precision (μ and ρ as given).</summary>
    public static void GammaGradientReference(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> gradOutput, Span<float> gradGamma, int rows, int cols)
    {
        Check(x.Length, rows, cols, gradGamma.Length, mean.Length, rstd.Length);
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += (double)gradOutput[r * cols + j] * (x[r * cols + j] - (double)mean[r]) * rstd[r];
            gradGamma[j] += (float)sum;
        }
    }

    /// <summary>Naive twin of <see cref="Tangent(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> in double precision (μ and ρ as given).</summary>
    public static void TangentReference(ReadOnlySpan<float> x, ReadOnlySpan<float> tanInput, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> tanGamma, ReadOnlySpan<float> tanBeta, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        Span<float> tanOutput, int rows, int cols)
    {
        Check(x.Length, rows, cols, gamma.Length, mean.Length, rstd.Length);
        for (int r = 0; r < rows; r++)
        {
            double m = mean[r], rs = rstd[r], sumA = 0, sumB = 0;
            if (!tanInput.IsEmpty)
                for (int j = 0; j < cols; j++)
                {
                    sumA += tanInput[r * cols + j];
                    sumB += tanInput[r * cols + j] * (x[r * cols + j] - m) * rs;
                }
            for (int j = 0; j < cols; j++)
            {
                double xhat = (x[r * cols + j] - m) * rs, ty = 0;
                if (!tanInput.IsEmpty) ty = rs * (tanInput[r * cols + j] - sumA / cols - xhat * sumB / cols) * gamma[j];
                if (!tanGamma.IsEmpty) ty += xhat * tanGamma[j];
                if (!tanBeta.IsEmpty) ty += tanBeta[j];
                tanOutput[r * cols + j] = (float)ty;
            }
        }
    }

    private static (double Mean, double Rstd) StatsReference(ReadOnlySpan<float> row, float eps)
    {
        double sum = 0;
        foreach (float v in row) sum += v;
        double m = sum / row.Length, ss = 0;
        foreach (float v in row) ss += (v - m) * (v - m);
        return (m, 1.0 / Math.Sqrt(ss / row.Length + eps));
    }

    // (Σⱼ uⱼ, Σⱼ uⱼ·x̂ⱼ) over one row, uⱼ = vⱼ·γⱼ (scaleByGamma) or vⱼ, x̂ⱼ = (xⱼ − μ)·ρ: 16 lanes folded to 8 when
    // wide, then 8 lanes, then the scalar tail. Backward's ĝ sums and Tangent's ẋ sums.
    private static (float Sum, float DotXhat) RowSums(ref float xr, ref float vr, ref float g, bool scaleByGamma, float m, float rs, int cols, bool wide)
    {
        var accA = Vector256<float>.Zero;
        var accB = Vector256<float>.Zero;
        int j = 0;
        if (wide && cols >= Vector512<float>.Count)
        {
            var wm = Vector512.Create(m);
            var wr = Vector512.Create(rs);
            var wideA = Vector512<float>.Zero;
            var wideB = Vector512<float>.Zero;
            for (; j <= cols - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                var xhat = (Vector512.LoadUnsafe(ref xr, (nuint)j) - wm) * wr;
                var u = Vector512.LoadUnsafe(ref vr, (nuint)j);
                if (scaleByGamma) u *= Vector512.LoadUnsafe(ref g, (nuint)j);
                wideA += u;
                wideB += u * xhat;
            }
            accA = wideA.GetLower() + wideA.GetUpper();
            accB = wideB.GetLower() + wideB.GetUpper();
        }
        var vm = Vector256.Create(m);
        var vrs = Vector256.Create(rs);
        for (; j <= cols - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            var xhat = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vrs;
            var u = Vector256.LoadUnsafe(ref vr, (nuint)j);
            if (scaleByGamma) u *= Vector256.LoadUnsafe(ref g, (nuint)j);
            accA += u;
            accB += u * xhat;
        }
        float sumA = Vector256.Sum(accA), sumB = Vector256.Sum(accB);
        for (; j < cols; j++)
        {
            float xhat = (Unsafe.Add(ref xr, j) - m) * rs;
            float u = scaleByGamma ? Unsafe.Add(ref vr, j) * Unsafe.Add(ref g, j) : Unsafe.Add(ref vr, j);
            sumA += u;
            sumB += u * xhat;
        }
        return (sumA, sumB);
    }

    private static float Sum(ref float x, int n, bool wide)
    {
        var acc = Vector256<float>.Zero;
        int j = 0;
        if (wide && n >= Vector512<float>.Count)
        {
            var wideAcc = Vector512<float>.Zero;
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count) wideAcc += Vector512.LoadUnsafe(ref x, (nuint)j);
            acc = wideAcc.GetLower() + wideAcc.GetUpper();
        }
        for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count) acc += Vector256.LoadUnsafe(ref x, (nuint)j);
        float s = Vector256.Sum(acc);
        for (; j < n; j++) s += Unsafe.Add(ref x, j);
        return s;
    }

    private static float SumSquaredDeviations(ref float x, int n, float m, bool wide)
    {
        var vm = Vector256.Create(m);
        var acc = Vector256<float>.Zero;
        int j = 0;
        if (wide && n >= Vector512<float>.Count)
        {
            var wm = Vector512.Create(m);
            var wideAcc = Vector512<float>.Zero;
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                var d = Vector512.LoadUnsafe(ref x, (nuint)j) - wm;
                wideAcc += d * d;
            }
            acc = wideAcc.GetLower() + wideAcc.GetUpper();
        }
        for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            var d = Vector256.LoadUnsafe(ref x, (nuint)j) - vm;
            acc += d * d;
        }
        float s = Vector256.Sum(acc);
        for (; j < n; j++)
        {
            float d = Unsafe.Add(ref x, j) - m;
            s += d * d;
        }
        return s;
    }

    private static void Check(int xLength, int rows, int cols, int gammaLength, int meanLength, int rstdLength)
    {
        if (rows < 0 || cols <= 0 || xLength != rows * cols)
            throw new ArgumentException($"x holds {xLength} elements, not {rows}×{cols}.");
        if (gammaLength != cols) throw new ArgumentException($"gamma holds {gammaLength} elements, not {cols}.");
        if (meanLength != rows || rstdLength != rows)
            throw new ArgumentException($"mean and rstd hold {meanLength} and {rstdLength} elements, not {rows}.");
    }

    private static void CheckSame(int xLength, int otherLength, int vectorLength, int cols)
    {
        if (otherLength != xLength) throw new ArgumentException($"A (rows, C) span holds {otherLength} elements, not {xLength}.");
        if (vectorLength != cols) throw new ArgumentException($"A per-feature span holds {vectorLength} elements, not {cols}.");
    }

    private static void CheckOptional(int length, int expected, string name)
    {
        if (length != 0 && length != expected) throw new ArgumentException($"{name} holds {length} elements, not {expected} (or 0 for a zero tangent).", name);
    }
}
