// KfacAccumulator: adds one batch's contributions to every block's float64 sums, reading the layers'
// last Forward inputs (A), last Backward output gradients (G) and per-sample gradients (dense F).
// Scratch buffers grow to the largest batch seen, so later batches allocate nothing.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Curvature;

/// <summary>
/// Accumulates S_A, S_G and S_F over batches for a <see cref="KfacLayout"/>; only lower triangles are summed until
/// <see cref="Finish"/> mirrors them. With R = rows per sample of a layer's input (tokens):
/// expand adds (1/R) Σ_r ā ā ᵀ and (w/R) Σ_r g gᵀ per sample; reduce adds ā_n ā_nᵀ (ā_n the token mean) and
/// w·g_n g_nᵀ (g_n the token sum); dense blocks add w·g_{p,n} g_{p,n}ᵀ. w is the probe weight.
/// </summary>
internal sealed class KfacAccumulator
{
    private readonly KfacLayout _layout;
    private readonly KfacTokenMode _mode;
    private float[] _gram = [], _rows = [], _reduced = [];

    public KfacAccumulator(KfacLayout layout, KfacTokenMode mode)
    {
        _layout = layout;
        _mode = mode;
        Blocks = [.. layout.Blocks.Select(s => new KroneckerBlock(s))];
        Dense = [.. layout.DenseBlocks.Select(s => new DenseBlock(s))];
        int gram = 0;
        foreach (var s in layout.Blocks) gram = Math.Max(gram, Math.Max(s.InFeatures * (s.InFeatures + 1), s.GDim * s.GDim));
        foreach (var s in layout.DenseBlocks) gram = Math.Max(gram, s.Dim * s.Dim);
        _gram = new float[gram];
    }

    public KroneckerBlock[] Blocks { get; }

    public DenseBlock[] Dense { get; }

    /// <summary>Adds every block's A contribution from its layers' last Forward input, for a batch of <paramref name="samples"/>.</summary>
    public void AddInputs(int samples)
    {
        for (int b = 0; b < Blocks.Length; b++)
        {
            var spec = Blocks[b].Spec;
            var linear = _layout.Groups[b][0];
            var x = linear.LastInput!;
            int n = spec.InFeatures, rows = RowsPerBatch(linear, x.Length / n, samples), tokens = rows / samples;
            var a = Blocks[b].A.AsSpan();
            if (_mode == KfacTokenMode.Expand)
            {
                if (spec.HasBias) GramKernels.AddAugmentedGramLower(x.Span, rows, n, 1.0 / tokens, a, _gram);
                else GramKernels.AddGramLower(x.Span, rows, n, n, 1.0 / tokens, a, n, _gram);
                continue;
            }
            // Reduce: ā_n = (1/R) Σ_r ā_r, whose bias entry stays 1.
            var mean = Ensure(ref _reduced, samples * n).AsSpan(0, samples * n);
            mean.Clear();
            for (int s = 0; s < samples; s++)
            {
                var row = mean.Slice(s * n, n);
                for (int r = 0; r < tokens; r++) TensorMath.AddInPlace(x.Span.Slice((s * tokens + r) * n, n), row);
                TensorMath.Scale(row, 1f / tokens, row);
            }
            if (spec.HasBias) GramKernels.AddAugmentedGramLower(mean, samples, n, 1.0, a, _gram);
            else GramKernels.AddGramLower(mean, samples, n, n, 1.0, a, n, _gram);
        }
    }

    /// <summary>Adds every block's G and dense contribution from the last Backward, weighted by <paramref name="weight"/>.</summary>
    public void AddGradients(int samples, double weight)
    {
        for (int b = 0; b < Blocks.Length; b++)
        {
            var spec = Blocks[b].Spec;
            var group = _layout.Groups[b];
            int gd = spec.GDim, rows = RowsPerBatch(group[0], group[0].LastInput!.Length / spec.InFeatures, samples), tokens = rows / samples;
            ReadOnlySpan<float> g;
            if (group.Length == 1 && _mode == KfacTokenMode.Expand) g = GradOutput(group[0], rows).Span;
            else
            {
                // Expand: the members' gradient rows side by side (rows × GDim). Reduce: their token sums (samples × GDim).
                int outRows = _mode == KfacTokenMode.Expand ? rows : samples;
                var buffer = Ensure(ref _rows, outRows * gd).AsSpan(0, outRows * gd);
                if (_mode == KfacTokenMode.Reduce) buffer.Clear();
                int offset = 0;
                foreach (var linear in group)
                {
                    var gy = GradOutput(linear, rows).Span;
                    int width = linear.OutFeatures;
                    for (int r = 0; r < rows; r++)
                    {
                        var source = gy.Slice(r * width, width);
                        var target = buffer.Slice((_mode == KfacTokenMode.Expand ? r : r / tokens) * gd + offset, width);
                        if (_mode == KfacTokenMode.Expand) source.CopyTo(target);
                        else TensorMath.AddInPlace(source, target);
                    }
                    offset += width;
                }
                g = buffer;
            }
            double scale = _mode == KfacTokenMode.Expand ? weight / tokens : weight;
            GramKernels.AddGramLower(g, _mode == KfacTokenMode.Expand ? rows : samples, gd, gd, scale, Blocks[b].G, gd, _gram);
        }
        for (int d = 0; d < Dense.Length; d++)
        {
            var (layer, parameter) = _layout.DenseSources[d];
            int dim = Dense[d].Spec.Dim;
            var perSample = Ensure(ref _reduced, samples * dim).AsSpan(0, samples * dim);
            layer.PerSampleGradient(parameter, perSample);
            GramKernels.AddGramLower(perSample, samples, dim, dim, weight, Dense[d].F, dim, _gram);
        }
    }

    /// <summary>Adds <paramref name="samples"/> to every block's count.</summary>
    public void AddCount(int samples)
    {
        foreach (var b in Blocks) b.Count += samples;
        foreach (var d in Dense) d.Count += samples;
    }

    /// <summary>Mirrors every lower triangle onto the upper one.</summary>
    public void Finish()
    {
        foreach (var b in Blocks)
        {
            GramKernels.Symmetrize(b.A, b.Spec.ADim);
            GramKernels.Symmetrize(b.G, b.Spec.GDim);
        }
        foreach (var d in Dense) GramKernels.Symmetrize(d.F, d.Spec.Dim);
    }

    private static int RowsPerBatch(Linear linear, int rows, int samples)
    {
        if (rows % samples != 0)
            throw new InvalidOperationException($"Linear '{linear.Name}' saw {rows} input rows for {samples} samples; KFAC needs the same number of tokens per sample.");
        return rows;
    }

    private static Tensor GradOutput(Linear linear, int rows)
    {
        var gy = linear.LastGradOutput;
        if (gy is null || gy.Length != rows * linear.OutFeatures)
            throw new InvalidOperationException($"Linear '{linear.Name}' received no output gradient for the last Forward; did the model's Backward skip it?");
        return gy;
    }

    private static float[] Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer;
    }
}
