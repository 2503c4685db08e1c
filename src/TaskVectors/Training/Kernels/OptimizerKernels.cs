// OptimizerKernels: the per-element updates of AdamW and SGD with momentum over one chunk of a parameter,
// θ, g, state (n) -> θ, state (n) in place, and the sum of squares of a gradient chunk, g (n) -> Σ g² in
// double. Fast kernels run Vector512 lanes where accelerated, then Vector256 lanes; each has a naive scalar *Reference twin. The updates round
// exactly where PyTorch 1.13's CPU kernels do (its add-with-alpha is a fused multiply-add, fma(x, α, y)),
// and IEEE +, −, ·, /, √ and fma round each lane exactly as the scalar code does (fma stays fused even where
// the hardware lacks it), so the fast kernels equal their twins bit-for-bit however a tensor is split.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Training.Kernels;

/// <summary>
/// Optimizer kernels over spans: state updated in place, no allocation. The float constants are prepared by
/// the caller (<see cref="AdamW"/>, <see cref="SgdMomentum"/>), which documents how they derive from the
/// hyperparameters.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>
    /// One AdamW step on each element, in float, rounded as PyTorch 1.13's single-tensor AdamW on the CPU
    /// (fma(a, b, c) = a·b + c rounded once):
    /// <code>
    /// θ' ← θ·decay                                    (decay = 1 − lr·λ)
    /// m ← fma(g, 1−β1, m·β1)                          (exp_avg.mul_(β1).add_(g, alpha=1−β1))
    /// v ← fma((1−β2)·g, g, v·β2)                      (exp_avg_sq.mul_(β2).addcmul_(g, g, value=1−β2))
    /// θ ← θ' + (−stepSize·m) / (√v / √(1−β2^t) + ε)   (stepSize = lr / (1−β1^t); param.addcdiv_)
    /// </code>
    /// </summary>
    /// <param name="value">θ (n), updated in place.</param>
    /// <param name="grad">g (n).</param>
    /// <param name="m">First moment (n), updated in place.</param>
    /// <param name="v">Second moment (n), updated in place.</param>
    /// <param name="decay">1 − lr·λ.</param>
    /// <param name="beta1">β1.</param>
    /// <param name="oneMinusBeta1">1 − β1.</param>
    /// <param name="beta2">β2.</param>
    /// <param name="oneMinusBeta2">1 − β2.</param>
    /// <param name="biasCorrection2Sqrt">√(1 − β2^t).</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="negativeStepSize">−lr / (1 − β1^t).</param>
    public static void AdamWUpdate(Span<float> value, ReadOnlySpan<float> grad, Span<float> m, Span<float> v,
        float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
        float biasCorrection2Sqrt, float epsilon, float negativeStepSize)
    {
        CheckLengths(value.Length, grad.Length, m.Length, v.Length);
        int n = value.Length, i = 0;
        ref float tr = ref MemoryMarshal.GetReference(value);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated)
        {
            // The same lane operations as the Vector256 loop below, 16 lanes at a time.
            var vDecay = Vector512.Create(decay);
            var vBeta1 = Vector512.Create(beta1);
            var vOneMinusBeta1 = Vector512.Create(oneMinusBeta1);
            var vBeta2 = Vector512.Create(beta2);
            var vOneMinusBeta2 = Vector512.Create(oneMinusBeta2);
            var vCorrection = Vector512.Create(biasCorrection2Sqrt);
            var vEpsilon = Vector512.Create(epsilon);
            var vStep = Vector512.Create(negativeStepSize);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                nuint at = (nuint)i;
                var g = Vector512.LoadUnsafe(ref gr, at);
                var theta = Vector512.LoadUnsafe(ref tr, at) * vDecay;
                var mi = Vector512.FusedMultiplyAdd(g, vOneMinusBeta1, Vector512.LoadUnsafe(ref mr, at) * vBeta1);
                var vi = Vector512.FusedMultiplyAdd(vOneMinusBeta2 * g, g, Vector512.LoadUnsafe(ref vr, at) * vBeta2);
                var denominator = Vector512.Sqrt(vi) / vCorrection + vEpsilon;
                mi.StoreUnsafe(ref mr, at);
                vi.StoreUnsafe(ref vr, at);
                (theta + vStep * mi / denominator).StoreUnsafe(ref tr, at);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vDecay = Vector256.Create(decay);
            var vBeta1 = Vector256.Create(beta1);
            var vOneMinusBeta1 = Vector256.Create(oneMinusBeta1);
            var vBeta2 = Vector256.Create(beta2);
            var vOneMinusBeta2 = Vector256.Create(oneMinusBeta2);
            var vCorrection = Vector256.Create(biasCorrection2Sqrt);
            var vEpsilon = Vector256.Create(epsilon);
            var vStep = Vector256.Create(negativeStepSize);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint at = (nuint)i;
                var g = Vector256.LoadUnsafe(ref gr, at);
                var theta = Vector256.LoadUnsafe(ref tr, at) * vDecay;
                var mi = Vector256.FusedMultiplyAdd(g, vOneMinusBeta1, Vector256.LoadUnsafe(ref mr, at) * vBeta1);
                var vi = Vector256.FusedMultiplyAdd(vOneMinusBeta2 * g, g, Vector256.LoadUnsafe(ref vr, at) * vBeta2);
                var denominator = Vector256.Sqrt(vi) / vCorrection + vEpsilon;
                mi.StoreUnsafe(ref mr, at);
                vi.StoreUnsafe(ref vr, at);
                (theta + vStep * mi / denominator).StoreUnsafe(ref tr, at);
            }
        }
        for (; i < n; i++)
            AdamWElement(ref Unsafe.Add(ref tr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref mr, i), ref Unsafe.Add(ref vr, i),
                decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, epsilon, negativeStepSize);
    }

    /// <summary>Naive scalar twin of <see cref="AdamWUpdate"/> (the same float operations, one element at a time).</summary>
    public static void AdamWUpdateReference(Span<float> value, ReadOnlySpan<float> grad, Span<float> m, Span<float> v,
        float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
        float biasCorrection2Sqrt, float epsilon, float negativeStepSize)
    {
        CheckLengths(value.Length, grad.Length, m.Length, v.Length);
        for (int i = 0; i < value.Length; i++)
            AdamWElement(ref value[i], grad[i], ref m[i], ref v[i],
                decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, epsilon, negativeStepSize);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AdamWElement(ref float theta, float g, ref float m, ref float v,
        float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
        float biasCorrection2Sqrt, float epsilon, float negativeStepSize)
    {
        float decayed = theta * decay;
        m = MathF.FusedMultiplyAdd(g, oneMinusBeta1, m * beta1);
        v = MathF.FusedMultiplyAdd(oneMinusBeta2 * g, g, v * beta2);
        float denominator = MathF.Sqrt(v) / biasCorrection2Sqrt + epsilon;
        theta = decayed + negativeStepSize * m / denominator;
    }

    /// <summary>
    /// One SGD step on each element, in float, rounded as PyTorch 1.13's single-tensor SGD on the CPU
    /// (fma(a, b, c) = a·b + c rounded once):
    /// <code>
    /// d ← fma(θ, λ, g)                                           (only when λ ≠ 0)
    /// b ← d on the first step, else fma(d, 1 − dampening, b·μ)   (only with a buffer)
    /// d ← fma(b, μ, d) (Nesterov) or d ← b                       (only with a buffer)
    /// θ ← fma(d, −lr, θ)
    /// </code>
    /// </summary>
    /// <param name="value">θ (n), updated in place.</param>
    /// <param name="grad">g (n).</param>
    /// <param name="buffer">Momentum buffer b (n), updated in place; empty for plain SGD (μ = 0).</param>
    /// <param name="weightDecay">λ (coupled: added to the gradient).</param>
    /// <param name="momentum">μ.</param>
    /// <param name="oneMinusDampening">1 − dampening.</param>
    /// <param name="nesterov">Whether to take the Nesterov step.</param>
    /// <param name="firstStep">Whether this is the first step (the buffer is set to d instead of updated).</param>
    /// <param name="negativeLearningRate">−lr.</param>
    public static void SgdUpdate(Span<float> value, ReadOnlySpan<float> grad, Span<float> buffer,
        float weightDecay, float momentum, float oneMinusDampening, bool nesterov, bool firstStep, float negativeLearningRate)
    {
        if (buffer.Length == 0)
        {
            CheckLengths(value.Length, grad.Length, value.Length, value.Length);
            PlainSgd(value, grad, weightDecay, negativeLearningRate);
            return;
        }
        CheckLengths(value.Length, grad.Length, buffer.Length, buffer.Length);
        int n = value.Length, i = 0;
        ref float tr = ref MemoryMarshal.GetReference(value);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float br = ref MemoryMarshal.GetReference(buffer);
        if (Vector256.IsHardwareAccelerated)
        {
            var vDecay = Vector256.Create(weightDecay);
            var vMomentum = Vector256.Create(momentum);
            var vKeep = Vector256.Create(oneMinusDampening);
            var vRate = Vector256.Create(negativeLearningRate);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint at = (nuint)i;
                var theta = Vector256.LoadUnsafe(ref tr, at);
                var d = Vector256.LoadUnsafe(ref gr, at);
                if (weightDecay != 0) d = Vector256.FusedMultiplyAdd(theta, vDecay, d);
                var b = firstStep ? d : Vector256.FusedMultiplyAdd(d, vKeep, Vector256.LoadUnsafe(ref br, at) * vMomentum);
                b.StoreUnsafe(ref br, at);
                d = nesterov ? Vector256.FusedMultiplyAdd(b, vMomentum, d) : b;
                Vector256.FusedMultiplyAdd(d, vRate, theta).StoreUnsafe(ref tr, at);
            }
        }
        for (; i < n; i++)
            SgdElement(ref Unsafe.Add(ref tr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref br, i),
                weightDecay, momentum, oneMinusDampening, nesterov, firstStep, negativeLearningRate);
    }

    private static void PlainSgd(Span<float> value, ReadOnlySpan<float> grad, float weightDecay, float negativeLearningRate)
    {
        int n = value.Length, i = 0;
        ref float tr = ref MemoryMarshal.GetReference(value);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        if (Vector256.IsHardwareAccelerated)
        {
            var vDecay = Vector256.Create(weightDecay);
            var vRate = Vector256.Create(negativeLearningRate);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint at = (nuint)i;
                var theta = Vector256.LoadUnsafe(ref tr, at);
                var d = Vector256.LoadUnsafe(ref gr, at);
                if (weightDecay != 0) d = Vector256.FusedMultiplyAdd(theta, vDecay, d);
                Vector256.FusedMultiplyAdd(d, vRate, theta).StoreUnsafe(ref tr, at);
            }
        }
        for (; i < n; i++)
            SgdPlainElement(ref Unsafe.Add(ref tr, i), Unsafe.Add(ref gr, i), weightDecay, negativeLearningRate);
    }

    /// <summary>Naive scalar twin of <see cref="SgdUpdate"/> (same float operations, one element at a time).</summary>
    public static void SgdUpdateReference(Span<float> value, ReadOnlySpan<float> grad, Span<float> buffer,
        float weightDecay, float momentum, float oneMinusDampening, bool nesterov, bool firstStep, float negativeLearningRate)
    {
        CheckLengths(value.Length, grad.Length, buffer.Length == 0 ? value.Length : buffer.Length, value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (buffer.Length == 0) SgdPlainElement(ref value[i], grad[i], weightDecay, negativeLearningRate);
            else SgdElement(ref value[i], grad[i], ref buffer[i], weightDecay, momentum, oneMinusDampening, nesterov, firstStep, negativeLearningRate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SgdElement(ref float theta, float g, ref float buffer,
        float weightDecay, float momentum, float oneMinusDampening, bool nesterov, bool firstStep, float negativeLearningRate)
    {
        float d = g;
        if (weightDecay != 0) d = MathF.FusedMultiplyAdd(theta, weightDecay, d);
        buffer = firstStep ? d : MathF.FusedMultiplyAdd(d, oneMinusDampening, buffer * momentum);
        d = nesterov ? MathF.FusedMultiplyAdd(buffer, momentum, d) : buffer;
        theta = MathF.FusedMultiplyAdd(d, negativeLearningRate, theta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SgdPlainElement(ref float theta, float g, float weightDecay, float negativeLearningRate)
    {
        float d = g;
        if (weightDecay != 0) d = MathF.FusedMultiplyAdd(theta, weightDecay, d);
        theta = MathF.FusedMultiplyAdd(d, negativeLearningRate, theta);
    }

    /// <summary>
    /// Σ x[i]² accumulated in double. Lanes accumulate 16 interleaved partial sums, combined in a fixed order, then
    /// the ragged tail is added in index order: the result depends only on the data and its length, never on the
    /// hardware or thread count (without Vector256 hardware the same lanes run emulated).
    /// </summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        double total = 0;
        if (n >= Vector256<float>.Count)
        {
            // Four independent accumulators (two float vectors per iteration) hide the add latency.
            Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
            Vector256<double> a2 = Vector256<double>.Zero, a3 = Vector256<double>.Zero;
            const int Width = 2 * 8;
            for (; i <= n - Width; i += Width)
            {
                var (lo0, hi0) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)i));
                var (lo1, hi1) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)));
                a0 += lo0 * lo0;
                a1 += hi0 * hi0;
                a2 += lo1 * lo1;
                a3 += hi1 * hi1;
            }
            if (i <= n - 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)i));
                a0 += lo * lo;
                a1 += hi * hi;
                i += 8;
            }
            var sum = (a0 + a1) + (a2 + a3);
            total = (sum.GetElement(0) + sum.GetElement(1)) + (sum.GetElement(2) + sum.GetElement(3));
        }
        for (; i < n; i++)
        {
            double e = Unsafe.Add(ref xr, i);
            total += e * e;
        }
        return total;
    }

    /// <summary>Naive twin of <see cref="SumOfSquares"/>: Σ x[i]² in double, in index order.</summary>
    public static double SumOfSquaresReference(ReadOnlySpan<float> x)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++) total += (double)x[i] * x[i];
        return total;
    }

    private static void CheckLengths(int value, int grad, int a, int b)
    {
        if (grad != value || a != value || b != value)
            throw new ArgumentException($"Span lengths differ: value {value}, grad {grad}, state {a} and {b}.");
    }
}
