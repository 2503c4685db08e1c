// LinearizedEmbeddings: the α-linearity shortcut of the linearized regime. The merged model's embedding is
// f_lin(x; θ0 + Σ_i α_i v_i) = f(x; θ0) + Σ_i α_i·J(x; θ0)·v_i, linear in every α_i, so one forward pass per split for
// f0 (N, C) and one JVP pass per vector for J·v (N, C) give the accuracy at every α of a grid without touching the
// model again. Accuracy: argmax_c ⟨e, h_c⟩ / ‖h_c‖ with e = f0 + Σ α_i J v_i (the cosine head; ‖e‖ and the logit
// scale do not change the argmax).
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.MainJob;

internal static class LinearizedEmbeddings
{
    /// <summary>f(x; θ0) for every example, (N, C) row-major.</summary>
    public static float[] Primal<TInput>(IEmbeddingModel<TInput> model, ILabeledData<TInput> data, int batchSize, CancellationToken ct) =>
        Run(model, data, null, batchSize, ct);

    /// <summary>J(x; θ0)·v for every example, (N, C) row-major; the model's tangents are restored on return.</summary>
    public static float[] Tangent<TInput>(IEmbeddingModel<TInput> model, ILabeledData<TInput> data, TaskVector v, int batchSize, CancellationToken ct) =>
        Run(model, data, v, batchSize, ct);

    /// <summary>Top-1 accuracy of e = f0 + Σ_i coefficients[i]·tangents[i] through the head, against the data's labels.</summary>
    public static double Accuracy<TInput>(CosineHead head, ILabeledData<TInput> data, float[] primal, IReadOnlyList<(float Coefficient, float[] Tangent)> terms)
    {
        int n = data.Count, c = head.Features, classes = head.Classes;
        var w = head.Weight.Value.Span;
        var inverseNorms = new double[classes];
        for (int k = 0; k < classes; k++)
        {
            double s = 0;
            for (int j = 0; j < c; j++) s += (double)w[k * c + j] * w[k * c + j];
            inverseNorms[k] = 1 / Math.Sqrt(s);
        }
        var e = new double[c];
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < c; j++) e[j] = primal[i * c + j];
            foreach (var (coefficient, tangent) in terms)
                for (int j = 0; j < c; j++) e[j] += coefficient * (double)tangent[i * c + j];
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                double s = 0;
                for (int j = 0; j < c; j++) s += e[j] * w[k * c + j];
                s *= inverseNorms[k];
                if (s > bestScore) (best, bestScore) = (k, s);
            }
            if (!double.IsFinite(bestScore)) throw new InvalidOperationException($"Example {i} of '{data.Description}' has a non-finite linearized embedding.");
            if (best == data.Label(i)) correct++;
        }
        return correct / (double)n;
    }

    private static float[] Run<TInput>(IEmbeddingModel<TInput> model, ILabeledData<TInput> data, TaskVector? v, int batchSize, CancellationToken ct)
    {
        int n = data.Count, c = model.EmbeddingDim;
        var result = new float[(long)n * c];
        var saved = model.Parameters.Select(p => (Parameter: p, p.Tangent)).ToList();
        try
        {
            if (v is not null)
                foreach (var p in model.Parameters)
                {
                    if (!v.Tensors.TryGetValue(p.Name, out var tau)) { p.Tangent = null; continue; }
                    if (!p.Value.HasShape(tau.Shape)) throw new ArgumentException($"Task vector tensor '{p.Name}' {tau.ShapeText} does not match the parameter {p.Value.ShapeText}.", nameof(v));
                    p.Tangent = tau;
                }
            TInput? batch = default;
            var indices = new int[batchSize];
            for (int start = 0; start < n; start += batchSize)
            {
                ct.ThrowIfCancellationRequested();
                int m = Math.Min(batchSize, n - start);
                if (batch is null || m != batchSize) batch = data.CreateBatch(m);
                for (int i = 0; i < m; i++) indices[i] = start + i;
                data.Fill(batch, indices.AsSpan(0, m));
                var output = v is null ? model.Forward(batch) : model.Jvp(batch).Tangent;
                if (!TensorMath.AllFinite(output.Span)) throw new InvalidOperationException($"Examples {start}..{start + m - 1} of '{data.Description}' give non-finite embeddings.");
                output.Span[..(m * c)].CopyTo(result.AsSpan(start * c, m * c));
            }
            return result;
        }
        finally
        {
            foreach (var (p, tangent) in saved) p.Tangent = tangent;
        }
    }
}
