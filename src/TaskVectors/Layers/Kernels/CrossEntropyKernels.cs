// CrossEntropyKernels: softmax cross-entropy with optional label smoothing over logits (N, K) and
// integer labels (N) -> per-batch loss sum and probabilities (N, K); backward probabilities -> ∂loss/∂logits (N, K).
using System.Numerics.Tensors;

namespace TaskVectors.Layers.Kernels;

/// <summary>
/// Softmax cross-entropy kernels; caller-owned outputs, no allocation. Labels must lie in [0, K)
/// (callers validate). Per row n with log pₖ = zₖ − logsumexp(z) (shifted by the row maximum) and
/// target q = (1 − ε)·onehot(yₙ) + ε/K as PyTorch's <c>label_smoothing</c>:
/// ℓₙ = −Σₖ qₖ log pₖ = (1 − ε)·(−log p_yₙ) + ε·(−(1/K) Σₖ log pₖ), and ∂ℓₙ/∂zₖ = pₖ − qₖ.
/// </summary>
internal static class CrossEntropyKernels
{
    /// <summary>Returns Σₙ ℓₙ (double) and writes p = softmax(z) per row to <paramref name="probabilities"/>.</summary>
    public static double Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> probabilities, int rows, int classes, float smoothing)
    {
        Check(logits.Length, probabilities.Length, labels.Length, rows, classes);
        double total = 0;
        for (int n = 0; n < rows; n++)
        {
            var z = logits.Slice(n * classes, classes);
            var p = probabilities.Slice(n * classes, classes);
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, p);
            TensorPrimitives.Exp(p, p);
            double sum = TensorPrimitives.Sum(p);
            TensorPrimitives.Multiply(p, (float)(1.0 / sum), p);
            double logZ = max + Math.Log(sum);
            double nll = logZ - z[labels[n]];
            double loss = nll;
            if (smoothing != 0) loss = (1 - smoothing) * nll + smoothing * (logZ - (double)TensorPrimitives.Sum(z) / classes);
            total += loss;
        }
        return total;
    }

    /// <summary>
    /// gradLogits[n, k] = scale·(p[n, k] − q[n, k]) (overwritten), the gradient of scale·Σₙ ℓₙ; the mean
    /// loss takes scale = 1/N. gradLogits may alias probabilities.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> gradLogits, int rows, int classes, float smoothing, float scale)
    {
        Check(probabilities.Length, gradLogits.Length, labels.Length, rows, classes);
        float uniform = smoothing / classes;
        for (int n = 0; n < rows; n++)
        {
            var p = probabilities.Slice(n * classes, classes);
            var g = gradLogits.Slice(n * classes, classes);
            // g = scale·(p − ε/K), then the label's entry loses scale·(1 − ε).
            TensorPrimitives.Subtract(p, uniform, g);
            TensorPrimitives.Multiply(g, scale, g);
            g[labels[n]] -= scale * (1 - smoothing);
        }
    }

    /// <summary>Naive twin of <see cref="Forward"/>: log-softmax and the smoothed target sum in double precision.</summary>
    public static double ForwardReference(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> probabilities, int rows, int classes, float smoothing)
    {
        Check(logits.Length, probabilities.Length, labels.Length, rows, classes);
        double total = 0;
        for (int n = 0; n < rows; n++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int k = 0; k < classes; k++) max = Math.Max(max, logits[n * classes + k]);
            for (int k = 0; k < classes; k++) sum += Math.Exp(logits[n * classes + k] - max);
            double logZ = max + Math.Log(sum);
            for (int k = 0; k < classes; k++)
            {
                double logp = logits[n * classes + k] - logZ;
                double q = (k == labels[n] ? 1 - smoothing : 0) + (double)smoothing / classes;
                total -= q * logp;
                probabilities[n * classes + k] = (float)Math.Exp(logp);
            }
        }
        return total;
    }

    private static void Check(int logitsLength, int otherLength, int labelsLength, int rows, int classes)
    {
        if (rows < 0 || classes <= 0 || logitsLength != rows * classes || otherLength != rows * classes)
            throw new ArgumentException($"Spans of {logitsLength} and {otherLength} elements do not hold {rows}×{classes}.");
        if (labelsLength != rows) throw new ArgumentException($"labels holds {labelsLength} entries, not {rows}.");
    }
}
