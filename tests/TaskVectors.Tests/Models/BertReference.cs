// BertReference: test fixtures for the BERT-layout model (a tiny config, a two-sequence batch with
// segments and padding, random parameters) and a naive double-precision reference of Hugging Face
// BertModel's forward pass, written from the definitions one element at a time.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Models;

internal static class BertReference
{
    /// <summary>Vocabulary 50, width 8, 2 blocks of 2 heads, MLP 16, 16 positions, 2 segments.</summary>
    public static TextTransformerConfig Tiny { get; } = new()
    {
        VocabSize = 50, Width = 8, Layers = 2, Heads = 2, MlpWidth = 16, MaxPositions = 16, TypeVocabSize = 2,
    };

    /// <summary>
    /// (B, T) = (2, 7). Sequence 0: a full pair [CLS] a a [SEP] b b [SEP]; sequence 1: [CLS] a [SEP] b [SEP]
    /// followed by two padding tokens (mask 0, id 0, segment 0).
    /// </summary>
    public static TextBatch Batch() => new(2, 7,
        [1, 17, 23, 2, 31, 44, 2, 1, 9, 2, 38, 2, 0, 0],
        [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0],
        new Tensor(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, 2, 7));

    /// <summary>Indices (b·T + t) of the padded tokens of <see cref="Batch"/>.</summary>
    public static int[] PaddedPositions { get; } = [12, 13];

    /// <summary>
    /// Random values large enough that every path matters: matrices N(0, 0.35²), tables N(0, 1), biases
    /// N(0, 0.1²), LayerNorm γ = 1 + N(0, 0.2²) and β = N(0, 0.2²).
    /// </summary>
    public static void Randomize(IParameterized model, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var p in model.Parameters)
        {
            if (p.Name.EndsWith("_embeddings.weight", StringComparison.Ordinal)) rng.FillNormal(p.Value.Span, 0f, 1f);
            else if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, 0f, 0.35f);
            else if (p.Name.Contains("LayerNorm.weight", StringComparison.Ordinal)) rng.FillNormal(p.Value.Span, 1f, 0.2f);
            else if (p.Name.Contains("LayerNorm", StringComparison.Ordinal)) rng.FillNormal(p.Value.Span, 0f, 0.2f);
            else rng.FillNormal(p.Value.Span, 0f, 0.1f);
        }
    }

    /// <summary>LN(word[ids] + position[t] + type[typeIds]), (B·T·W) in double precision.</summary>
    public static double[] Embeddings(BertEmbeddings e, TextBatch batch)
    {
        int n = batch.Batch * batch.SequenceLength, w = e.Width;
        var x = new double[n * w];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < w; c++)
                x[i * w + c] = (double)e.Word.Weight.Value[batch.InputIds[i], c] + e.Position.Weight.Value[i % batch.SequenceLength, c]
                    + e.TokenType.Weight.Value[batch.TokenTypeIds[i], c];
        return LayerNorm(x, e.Norm);
    }

    /// <summary>
    /// h = LN₁(x + attn(x)), y = LN₂(h + dense₂(gelu(dense₁(h)))) for x (B, T, W) flattened; masked keys are
    /// left out of the softmax (Hugging Face's dtype-minimum bias makes their weight exactly 0).
    /// </summary>
    public static double[] Layer(BertLayer layer, double[] x, int batch, int seq, Tensor? mask)
    {
        var a = layer.Attention;
        int w = layer.Width, h = a.Heads, d = a.HeadDim;
        var q = Linear(a.Query, x);
        var k = Linear(a.Key, x);
        var v = Linear(a.Value, x);
        var o = new double[x.Length];
        for (int b = 0; b < batch; b++)
            for (int hh = 0; hh < h; hh++)
                for (int i = 0; i < seq; i++)
                {
                    var s = new double[seq];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < seq; j++)
                    {
                        if (mask is not null && mask[b, j] == 0f) continue;
                        for (int e = 0; e < d; e++) s[j] += q[(b * seq + i) * w + hh * d + e] * k[(b * seq + j) * w + hh * d + e];
                        s[j] /= Math.Sqrt(d);
                        max = Math.Max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < seq; j++)
                        if (mask is null || mask[b, j] != 0f) z += Math.Exp(s[j] - max);
                    for (int j = 0; j < seq; j++)
                    {
                        if (mask is not null && mask[b, j] == 0f) continue;
                        double p = Math.Exp(s[j] - max) / z;
                        for (int e = 0; e < d; e++) o[(b * seq + i) * w + hh * d + e] += p * v[(b * seq + j) * w + hh * d + e];
                    }
                }
        var hidden = LayerNorm(Add(x, Linear(a.Output, o)), layer.AttentionNorm);
        var pre = Linear(layer.Intermediate, hidden);
        var act = pre.Select(u => u * 0.5 * Erfc(-u / Math.Sqrt(2))).ToArray();
        return LayerNorm(Add(hidden, Linear(layer.Output, act)), layer.OutputNorm);
    }

    /// <summary>The whole model: f (B·W) = normalize(pool(h)) in double precision.</summary>
    public static double[] Model(TextTransformer model, TextBatch batch)
    {
        int bsz = batch.Batch, seq = batch.SequenceLength, w = model.EmbeddingDim;
        var x = Embeddings(model.Embeddings, batch);
        foreach (var layer in model.Layers) x = Layer(layer, x, bsz, seq, batch.AttentionMask);
        var s = new double[bsz * w];
        for (int b = 0; b < bsz; b++)
        {
            var row = new double[w];
            if (model.Pooling == TextPooling.Mean)
            {
                double count = 0;
                for (int t = 0; t < seq; t++)
                {
                    if (batch.AttentionMask[b, t] == 0f) continue;
                    count++;
                    for (int c = 0; c < w; c++) row[c] += x[(b * seq + t) * w + c];
                }
                for (int c = 0; c < w; c++) row[c] /= count;
            }
            else Array.Copy(x, b * seq * w, row, 0, w);
            if (model.Pooling == TextPooling.Pooler) row = Linear(model.Pooler.Dense, row).Select(Math.Tanh).ToArray();
            double norm = Math.Sqrt(row.Sum(r => r * r));
            for (int c = 0; c < w; c++) s[b * w + c] = row[c] / norm;
        }
        return s;
    }

    /// <summary>erfc(z) in double precision: Taylor series of erf for |z| &lt; 3, a continued fraction beyond.</summary>
    public static double Erfc(double z)
    {
        if (z < -3) return 2 - Erfc(-z);
        if (z > 3)
        {
            // erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + (2/2)/(z + (3/2)/(z + …)))).
            double f = z;
            for (int n = 80; n >= 1; n--) f = z + n / 2.0 / f;
            return Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
        }
        // erf(z) = 2/√π Σ (−1)ⁿ z^(2n+1) / (n! (2n+1)).
        double term = z, sum = z;
        for (int n = 1; n < 200 && Math.Abs(term) > 1e-17; n++)
        {
            term *= -z * z / n;
            sum += term / (2 * n + 1);
        }
        return 1 - 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static double[] Linear(Linear l, double[] x)
    {
        int cin = l.InFeatures, cout = l.OutFeatures, rows = x.Length / cin;
        var y = new double[rows * cout];
        for (int n = 0; n < rows; n++)
            for (int o = 0; o < cout; o++)
            {
                double s = l.Bias!.Value[o];
                for (int i = 0; i < cin; i++) s += l.Weight.Value[o, i] * x[n * cin + i];
                y[n * cout + o] = s;
            }
        return y;
    }

    private static double[] LayerNorm(double[] x, LayerNorm ln)
    {
        int c = ln.Features;
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / c; r++)
        {
            var row = x.AsSpan(r * c, c);
            double mean = 0, variance = 0;
            foreach (double value in row) mean += value;
            mean /= c;
            foreach (double value in row) variance += (value - mean) * (value - mean);
            variance /= c;
            double rstd = 1 / Math.Sqrt(variance + ln.Epsilon);
            for (int j = 0; j < c; j++) y[r * c + j] = (row[j] - mean) * rstd * ln.Weight.Value[j] + ln.Bias.Value[j];
        }
        return y;
    }

    private static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
}
