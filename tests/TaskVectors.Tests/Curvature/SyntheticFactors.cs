// SyntheticFactors: small hand-made KFAC layouts with random positive semi-definite sums, for tests of
// aggregation, files and the regularizer that need no model: a fused two-member block with biases, a
// plain block, a bias-free projection, and two dense blocks (a LayerNorm γ and a class embedding).
using TaskVectors.Curvature;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.Tests.Curvature;

internal static class SyntheticFactors
{
    public const string Fingerprint = "f00dfeedf00dfeedf00dfeed";

    public static KroneckerBlockSpec[] Blocks =>
    [
        new("enc.q+k", [new("enc.q.weight", "enc.q.bias", 2), new("enc.k.weight", "enc.k.bias", 2)], 3),
        new("enc.fc", [new("enc.fc.weight", "enc.fc.bias", 3)], 2),
        new("visual_projection", [new("visual_projection.weight", null, 2)], 3),
    ];

    public static DenseBlockSpec[] DenseBlocks => [new("enc.norm.weight", 3), new("embeddings.class_embedding", 3)];

    /// <summary>
    /// Sums of <paramref name="count"/> random outer products per block (so N = count), with a base fingerprint, and with
    /// <paramref name="diagonal"/> random non-negative diagonal sums (GDim × ADim) per Kronecker block.
    /// </summary>
    public static TaskFactors Random(ulong seed, long count, string fingerprint = Fingerprint, bool diagonal = false)
    {
        var rng = new Rng(seed);
        double[] Psd(int n)
        {
            var s = new double[n * n];
            var v = new double[n];
            for (int k = 0; k < count; k++)
            {
                for (int i = 0; i < n; i++) v[i] = rng.NextNormal() * (1 + i % 3);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) s[i * n + j] += v[i] * v[j];
            }
            return s;
        }
        double[]? Diagonal(KroneckerBlockSpec s) =>
            diagonal ? [.. Enumerable.Range(0, s.GDim * s.ADim).Select(_ => count * Math.Abs(rng.NextNormal()))] : null;
        var blocks = Blocks.Select(s => new KroneckerBlock(s, Psd(s.ADim), Psd(s.GDim), count, Diagonal(s))).ToList();
        var dense = DenseBlocks.Select(s => new DenseBlock(s, Psd(s.Dim), count)).ToList();
        return new TaskFactors(blocks, dense, count, new Dictionary<string, string> { [ModelFingerprint.MetadataKey] = fingerprint });
    }

    /// <summary>The parameters the layout covers, plus one ("enc.pos") that no block covers.</summary>
    public static Parameter[] Parameters() =>
    [
        new("enc.q.weight", new Tensor(2, 3)), new("enc.q.bias", new Tensor(2)),
        new("enc.k.weight", new Tensor(2, 3)), new("enc.k.bias", new Tensor(2)),
        new("enc.fc.weight", new Tensor(3, 2)), new("enc.fc.bias", new Tensor(3)),
        new("visual_projection.weight", new Tensor(2, 3)),
        new("enc.norm.weight", new Tensor(3)), new("embeddings.class_embedding", new Tensor(3)),
        new("enc.pos", new Tensor(4)),
    ];

    /// <summary>Trainable parameters with random θ0 and τ (θ = θ0 + τ kept separately, as the linearized regime does).</summary>
    public static List<TrainableParameter> Trainable(ulong seed, IEnumerable<Parameter>? parameters = null)
    {
        var rng = new Rng(seed);
        var list = new List<TrainableParameter>();
        foreach (var p in parameters ?? Parameters())
        {
            rng.FillNormal(p.Value.Span);
            var theta = p.Value.Clone();
            rng.FillNormal(theta.Span, 0f, 0.5f);
            TensorMath.AddInPlace(p.Value.Span, theta.Span);
            list.Add(new TrainableParameter(p, p.Value.Clone(), theta));
        }
        return list;
    }
}
