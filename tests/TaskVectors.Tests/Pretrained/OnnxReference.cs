// OnnxReference: runs an ONNX BERT export through ONNX Runtime (the reference) on a TextBatch and
// returns last_hidden_state (B, T, W) and, when the graph has it, the pooler output (B, W).
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TaskVectors.Models;

namespace TaskVectors.Tests.Pretrained;

internal static class OnnxReference
{
    public static (float[] Hidden, float[]? Pooled) Run(byte[] onnx, TextBatch batch)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        int[] dims = [batch.Batch, batch.SequenceLength];
        var mask = batch.AttentionMask.Span.ToArray().Select(v => (long)v).ToArray();
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.InputIds.Select(v => (long)v).ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TokenTypeIds.Select(v => (long)v).ToArray(), dims)),
        };
        using var results = session.Run(inputs);
        float[] hidden = results.First(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
        var pooled = results.FirstOrDefault(r => r.Name != "last_hidden_state")?.AsEnumerable<float>().ToArray();
        return (hidden, pooled);
    }

    /// <summary>sentence-transformers' pooling: Σ_t m_t h_t / Σ_t m_t, then h / ‖h‖₂ (float64 sums).</summary>
    public static float[] MeanPoolNormalize(float[] hidden, TextBatch batch, int width)
    {
        var result = new float[batch.Batch * width];
        var mask = batch.AttentionMask.Span;
        for (int b = 0; b < batch.Batch; b++)
        {
            var sum = new double[width];
            double count = 0;
            for (int t = 0; t < batch.SequenceLength; t++)
            {
                double m = mask[b * batch.SequenceLength + t];
                count += m;
                for (int w = 0; w < width; w++) sum[w] += m * hidden[(b * batch.SequenceLength + t) * width + w];
            }
            Normalize(sum.Select(v => v / count).ToArray(), result.AsSpan(b * width, width));
        }
        return result;
    }

    /// <summary>h[:, 0] / ‖h[:, 0]‖₂: the [CLS] embedding, L2-normalized.</summary>
    public static float[] ClsNormalize(float[] hidden, TextBatch batch, int width)
    {
        var result = new float[batch.Batch * width];
        for (int b = 0; b < batch.Batch; b++)
            Normalize([.. hidden.AsSpan(b * batch.SequenceLength * width, width).ToArray().Select(v => (double)v)], result.AsSpan(b * width, width));
        return result;
    }

    private static void Normalize(double[] v, Span<float> destination)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        for (int i = 0; i < v.Length; i++) destination[i] = (float)(v[i] / norm);
    }

    /// <summary>Fails with a summary (count, shape, first diffs, max abs/rel error) when any |a − e| exceeds <paramref name="tolerance"/>.</summary>
    /// <summary>
    /// tolerance × max(1, max |expected|): for unnormalized activations such as the last hidden state, whose entries reach
    /// several units, float32 rounding differs by GEMM kernel (OpenBLAS SkylakeX measured 1.4e-5 on one entry of 0.36) —
    /// the normalized embeddings and the pooler output keep the plain absolute tolerance.
    /// </summary>
    public static double ScaledTolerance(ReadOnlySpan<float> expected, double tolerance)
    {
        float max = 1f;
        foreach (float v in expected) max = Math.Max(max, Math.Abs(v));
        return tolerance * max;
    }

    public static void ShouldMatch(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string what)
    {
        actual.Length.ShouldBe(expected.Length, what + ": length");
        double maxAbs = 0, maxRel = 0;
        int bad = 0;
        var first = new List<string>();
        for (int i = 0; i < actual.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            maxAbs = Math.Max(maxAbs, diff);
            maxRel = Math.Max(maxRel, diff / Math.Max(Math.Abs(expected[i]), 1e-6));
            if (!(diff <= tolerance))
            {
                bad++;
                if (first.Count < 5) first.Add($"[{i}] {actual[i]} vs {expected[i]}");
            }
        }
        if (bad > 0)
            Assert.Fail($"{what}: {bad} of {actual.Length} values differ by more than {tolerance} (max abs {maxAbs:E3}, max rel {maxRel:E3}); first: {string.Join(", ", first)}");
    }
}
