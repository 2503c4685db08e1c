// KfacAccumulator: adds one batch's contributions to every block's float64 sums, reading the layers'
// last Forward inputs (A), last Backward output gradients (G, diagonal) and per-sample gradients (dense F).
// A layer's input has rows = B·R (R tokens per sample); a (B, R) padding mask, when the batch has one,
// removes padded tokens and makes R the sample's real-token count. Scratch buffers grow to the largest
// batch seen, so later batches allocate nothing.
using TaskVectors.Layers;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Curvature;

/// <summary>
/// Accumulates S_A, S_G, S_D and S_F over batches for a <see cref="KfacLayout"/>; only lower triangles are summed until
/// <see cref="Finish"/> mirrors them. With R_n = real tokens of sample n (all rows without a mask) and w the probe
/// weight: expand adds (1/R_n) Σ_r ā ā ᵀ, (w/R_n) Σ_r g gᵀ and (w/R_n) Σ_r g² ⊗ ā² per sample; reduce adds
/// ā_n ā_nᵀ (ā_n the mean of the real tokens; its appended entry stays 1), w·g_n g_nᵀ (g_n the token sum) and
/// w·g_n² ⊗ ā_n²; dense blocks add w·g_{p,n} g_{p,n}ᵀ.
/// </summary>
internal sealed class KfacAccumulator
{
    private readonly KfacLayout _layout;
    private readonly KfacTokenMode _mode;
    private readonly float[] _gram;
    private float[] _rows = [], _inputs = [], _squares = [], _weights = [], _reduced = [];
    private Tensor? _mask;

    public KfacAccumulator(KfacLayout layout, KfacTokenMode mode, bool diagonal)
    {
        _layout = layout;
        _mode = mode;
        Blocks = [.. layout.Blocks.Select(s => new KroneckerBlock(s, diagonal))];
        Dense = [.. layout.DenseBlocks.Select(s => new DenseBlock(s))];
        int gram = 0;
        foreach (var s in layout.Blocks)
            gram = Math.Max(gram, Math.Max(s.ADim * (s.ADim + 1), Math.Max(s.GDim * s.GDim, diagonal ? s.GDim * s.ADim : 0)));
        foreach (var s in layout.DenseBlocks) gram = Math.Max(gram, s.Dim * s.Dim);
        _gram = new float[gram];
        Touch([.. Blocks.SelectMany(b => b.Diagonal is null ? new[] { b.A, b.G } : [b.A, b.G, b.Diagonal]), .. Dense.Select(d => d.F)]);
    }

    // The new sums are tens of megabytes of fresh memory: take its page faults on every thread at once rather than one
    // by one inside the first batch's serial accumulation (on a virtual machine a first touch can cost ~10 µs a page).
    private static void Touch(double[][] arrays)
    {
        const int chunk = 1 << 17; // doubles (1 MiB)
        var pieces = new List<(double[] Array, int Start, int Length)>();
        foreach (var a in arrays)
            for (int start = 0; start < a.Length; start += chunk) pieces.Add((a, start, Math.Min(chunk, a.Length - start)));
        ParallelLoop.For(pieces.Count, new TouchBody([.. pieces]));
    }

    private readonly struct TouchBody((double[] Array, int Start, int Length)[] pieces) : ILoopBody
    {
        public void Invoke(int index)
        {
            var (array, start, length) = pieces[index];
            array.AsSpan(start, length).Clear();
        }
    }

    public KroneckerBlock[] Blocks { get; }

    public DenseBlock[] Dense { get; }

    /// <summary>
    /// The padding mask (B, T) of the batch about to be added, or null: it applies to every layer with T rows per sample.
    /// </summary>
    /// <exception cref="ArgumentException">A sample has no real token, or the mask holds a value other than 0 or 1.</exception>
    public void SetTokenMask(Tensor? mask)
    {
        if (mask is not null)
        {
            if (mask.Rank != 2) throw new ArgumentException($"A token mask must be (B, T); got {mask.ShapeText}.", nameof(mask));
            int tokens = mask.Dim(1);
            var m = mask.Span;
            bool padded = false;
            for (int s = 0; s < mask.Dim(0); s++)
            {
                float real = 0;
                for (int r = 0; r < tokens; r++)
                {
                    float v = m[s * tokens + r];
                    if (v is not (0f or 1f)) throw new ArgumentException($"Token mask [{s}, {r}] is {v}; it must be 0 or 1.", nameof(mask));
                    real += v;
                }
                if (real == 0) throw new ArgumentException($"Sample {s} of the batch has no real tokens (its mask row is all 0), so it has no KFAC contribution to average.", nameof(mask));
                padded |= real < tokens;
            }
            // An all-ones mask changes nothing; the unmasked paths are faster.
            if (!padded) mask = null;
        }
        _mask = mask;
    }

    /// <summary>Adds every block's A contribution from its layers' last Forward input, for a batch of <paramref name="samples"/>.</summary>
    public void AddInputs(int samples)
    {
        for (int b = 0; b < Blocks.Length; b++)
        {
            var spec = Blocks[b].Spec;
            var layer = _layout.Groups[b][0];
            var x = layer.CurvatureInput();
            int n = spec.InFeatures, rows = RowsPerBatch(layer, x.Length / n, samples), tokens = rows / samples;
            var a = Blocks[b].A.AsSpan();
            if (_mode == KfacTokenMode.Expand && !Masked(samples, tokens))
            {
                if (spec.HasBias) GramKernels.AddAugmentedGramLower(x, rows, n, 1.0 / tokens, a, _gram);
                else GramKernels.AddGramLower(x, rows, n, n, 1.0 / tokens, a, n, _gram);
                continue;
            }
            // Expand with padding: rows √w_r·ā_r (w_r = 1/R_n, 0 for padding). Reduce: the real tokens' means ā_n.
            var input = InputRows(spec, x, samples, tokens, square: false, out int count);
            GramKernels.AddGramLower(input, count, spec.ADim, spec.ADim, 1.0, a, spec.ADim, _gram);
        }
    }

    /// <summary>Adds every block's G, diagonal and dense contribution from the last Backward, weighted by <paramref name="weight"/>.</summary>
    public void AddGradients(int samples, double weight)
    {
        for (int b = 0; b < Blocks.Length; b++)
        {
            var block = Blocks[b];
            var spec = block.Spec;
            var group = _layout.Groups[b];
            var x = group[0].CurvatureInput();
            int gd = spec.GDim, rows = RowsPerBatch(group[0], x.Length / spec.InFeatures, samples), tokens = rows / samples;
            bool masked = Masked(samples, tokens), plain = _mode == KfacTokenMode.Expand && !masked;
            if (plain && group.Length == 1)
            {
                AddSingleGradients(block, group[0], x, rows, samples, tokens, weight / tokens);
                continue;
            }
            // The members' gradients side by side: one SYRK over the whole block (cross terms included) is faster than
            // a SYRK per member and a GEMM per pair. Expand with padding folds the weights w_r into the rows as √w_r;
            // without padding every row carries 1/R.
            var g = GradientRows(group, gd, rows, samples, tokens, masked, out int count);
            double w = plain ? weight / tokens : weight;
            GramKernels.AddGramLower(g, count, gd, gd, w, block.G, gd, _gram);
            if (block.Diagonal is not null)
            {
                var squares = Ensure(ref _squares, count * gd).AsSpan(0, count * gd);
                TensorMath.Multiply(g, g, squares);
                var input = InputRows(spec, x, samples, tokens, square: true, out _);
                GramKernels.AddTransposeProduct(squares, gd, input, spec.ADim, count, w, block.Diagonal, spec.ADim, _gram);
            }
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

    // Expand without padding, a block of one layer: straight from its own gradient buffer (no copy), G a SYRK and the
    // diagonal sums one GEMM, all scaled by `scale`. x is the layer's input rows.
    private void AddSingleGradients(KroneckerBlock block, IKfacLayer layer, ReadOnlySpan<float> x, int rows, int samples, int tokens, double scale)
    {
        var spec = block.Spec;
        int gd = spec.GDim, ad = spec.ADim;
        var g = layer.CurvatureGradOutput();
        GramKernels.AddGramLower(g, rows, gd, gd, scale, block.G, gd, _gram);
        if (block.Diagonal is null) return;
        var inputSquares = InputRows(spec, x, samples, tokens, square: true, out _);
        var squares = Ensure(ref _squares, rows * gd).AsSpan(0, rows * gd);
        TensorMath.Multiply(g, g, squares);
        GramKernels.AddTransposeProduct(squares, gd, inputSquares, ad, rows, scale, block.Diagonal, ad, _gram);
    }

    // Whether the current mask applies to a layer with `tokens` rows per sample.
    private bool Masked(int samples, int tokens) => _mask is not null && tokens > 1 && _mask.Dim(0) == samples && _mask.Dim(1) == tokens;

    // w_r = m_r / R_n per row of a masked layer (rows = samples · tokens).
    private Span<float> RowWeights(int samples, int tokens)
    {
        var w = Ensure(ref _weights, samples * tokens).AsSpan(0, samples * tokens);
        var m = _mask!.Span;
        for (int s = 0; s < samples; s++)
        {
            var row = m.Slice(s * tokens, tokens);
            float real = TensorMath.Sum(row);
            TensorMath.Scale(row, 1f / real, w.Slice(s * tokens, tokens));
        }
        return w;
    }

    // The block's A-side rows (count × ADim, with the appended 1 when the block has biases): expand with a mask √w_r·ā_r
    // (or ā_r² when squaring, the weight then sits on the gradient side), expand without a mask ā_r, reduce the
    // real tokens' means ā_n (squared when asked).
    private ReadOnlySpan<float> InputRows(KroneckerBlockSpec spec, ReadOnlySpan<float> x, int samples, int tokens, bool square, out int count)
    {
        int n = spec.InFeatures, ad = spec.ADim;
        bool expand = _mode == KfacTokenMode.Expand, masked = Masked(samples, tokens);
        count = expand ? samples * tokens : samples;
        var rows = Ensure(ref _inputs, count * ad).AsSpan(0, count * ad);
        if (expand)
        {
            var w = masked && !square ? RowWeights(samples, tokens) : default;
            for (int r = 0; r < count; r++)
            {
                var source = x.Slice(r * n, n);
                var target = rows.Slice(r * ad, ad);
                float root = w.IsEmpty ? 1f : MathF.Sqrt(w[r]);
                if (square) TensorMath.Multiply(source, source, target[..n]);
                else TensorMath.Scale(source, root, target[..n]);
                if (spec.HasBias) target[n] = root;
            }
            return rows;
        }
        var weights = masked ? RowWeights(samples, tokens) : default;
        for (int s = 0; s < samples; s++)
        {
            var target = rows.Slice(s * ad, ad);
            target.Clear();
            for (int r = 0; r < tokens; r++)
            {
                float wr = weights.IsEmpty ? 1f / tokens : weights[s * tokens + r];
                if (wr != 0) TensorMath.AddScaled(x.Slice((s * tokens + r) * n, n), wr, target[..n]);
            }
            if (square) TensorMath.Multiply(target[..n], target[..n], target[..n]);
            if (spec.HasBias) target[n] = 1f;
        }
        return rows;
    }

    // The block's output-gradient rows (count × GDim, the members' gradients side by side): expand the token rows (times
    // √w_r under a mask), reduce the token sums over real tokens.
    private ReadOnlySpan<float> GradientRows(IKfacLayer[] group, int gd, int rows, int samples, int tokens, bool masked, out int count)
    {
        bool expand = _mode == KfacTokenMode.Expand;
        count = expand ? rows : samples;
        var buffer = Ensure(ref _rows, count * gd).AsSpan(0, count * gd);
        if (!expand) buffer.Clear();
        var m = masked ? _mask!.Span : default;
        var w = masked && expand ? RowWeights(samples, tokens) : default;
        int offset = 0;
        foreach (var layer in group)
        {
            var gy = layer.CurvatureGradOutput();
            int width = layer.OutFeatures;
            for (int r = 0; r < rows; r++)
            {
                var source = gy.Slice(r * width, width);
                if (expand)
                {
                    var target = buffer.Slice(r * gd + offset, width);
                    if (masked) TensorMath.Scale(source, MathF.Sqrt(w[r]), target);
                    else source.CopyTo(target);
                }
                else if (!masked || m[r] != 0) TensorMath.AddInPlace(source, buffer.Slice(r / tokens * gd + offset, width));
            }
            offset += width;
        }
        return buffer;
    }

    private static int RowsPerBatch(IKfacLayer layer, int rows, int samples)
    {
        if (rows % samples != 0)
            throw new InvalidOperationException($"Layer '{layer.Name}' saw {rows} input rows for {samples} samples; KFAC needs the same number of tokens per sample.");
        return rows;
    }

    private static float[] Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer;
    }
}
