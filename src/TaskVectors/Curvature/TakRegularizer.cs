// TakRegularizer: the TAK penalty on the task vector τ being fine-tuned, from the other tasks' aggregated
// KFAC factors: per Kronecker block Σ_k w_k tr(G_k ΔW A_k ΔWᵀ) with ΔW = [ΔW | Δb] (fused members' rows
// stacked), per dense block Δwᵀ F Δw, weighted by β, c_ln, c_proj. Gradient 2·Σ_k w_k G_k ΔW A_k and 2·F Δw.
// Two float32 GEMMs per term and block: O(GDim²·ADim + GDim·ADim²), independent of batch size and T.
using TaskVectors.Blas;
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.Curvature;

/// <summary>
/// The TAK regularizer (Porrello et al. 2026): R(τ) = β·[Σ_blocks c_b Σ_k w_k tr(G_k ΔW A_k ΔWᵀ) + c_ln Σ_p Δw_pᵀ F_p Δw_p],
/// c_b = c_proj for the projection blocks and 1 otherwise (see <see cref="TakOptions"/>), ΔW the block's τ reshaped to
/// GDim × ADim (<see cref="KroneckerBlockSpec"/>). ∂R/∂ΔW = 2β c_b Σ_k w_k G_k ΔW A_k and ∂R/∂Δw_p = 2β c_ln F_p Δw_p are
/// added to the parameters' gradients.
/// </summary>
/// <remarks>
/// <para>Precision: the factors are converted once to float32 and the products G ΔW A run as float32 GEMMs through
/// <see cref="Gemm.Default"/>, like the training step itself; the penalty's final dot products are summed in float64.</para>
/// <para>Parameters of a block that are not trainable count as τ = 0 and receive no gradient; trainable parameters
/// outside every block (e.g. positional embeddings) are not penalized. After the first call with a given parameter
/// list (the same objects in the same order), a call allocates nothing.</para>
/// </remarks>
public sealed class TakRegularizer : IRegularizer
{
    private readonly BlockState[] _blocks;
    private readonly DenseState[] _dense;
    private readonly float[] _delta, _product, _result;
    private TrainableParameter[] _bound = [];

    /// <summary>Creates the penalty for <paramref name="factors"/> (e.g. <see cref="FactorAggregate.AllBut"/>) with <paramref name="options"/>.</summary>
    public TakRegularizer(AggregatedFactors factors, TakOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factors);
        Options = options ?? new TakOptions();
        Options.Validate();
        Factors = factors;
        var projection = Options.ProjectionBlocks.ToHashSet(StringComparer.Ordinal);
        _blocks = [.. factors.Blocks.Select(b => new BlockState(b, projection.Contains(b.Spec.Name) ? Options.ProjectionCoefficient : 1.0))];
        _dense = [.. factors.DenseBlocks.Select(d => new DenseState(d))];
        int size = 0;
        foreach (var b in factors.Blocks) size = Math.Max(size, b.Spec.GDim * b.Spec.ADim);
        foreach (var d in factors.DenseBlocks) size = Math.Max(size, d.Spec.Dim);
        _delta = new float[size];
        _product = new float[size];
        _result = new float[size];
    }

    /// <inheritdoc />
    public string Name => "tak";

    /// <summary>The penalty weights.</summary>
    public TakOptions Options { get; }

    /// <summary>The aggregated factors the penalty uses.</summary>
    public AggregatedFactors Factors { get; }

    /// <inheritdoc />
    /// <remarks>The penalty is data-free and deterministic in τ, so <paramref name="step"/> is ignored.</remarks>
    /// <exception cref="ArgumentException">A trainable parameter covered by a block has the wrong shape.</exception>
    public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Bind(parameters);
        double beta = Options.Beta, total = 0;
        foreach (var block in _blocks)
        {
            if (!block.Active) continue;
            double value = Kronecker(block, 2 * beta * block.Coefficient);
            total += beta * block.Coefficient * value;
        }
        double cln = Options.LayerNormCoefficient;
        foreach (var dense in _dense)
        {
            if (dense.Parameter is null) continue;
            total += beta * cln * Dense(dense, 2 * beta * cln);
        }
        return total;
    }

    // Returns Σ_k w_k tr(G_k ΔW A_k ΔWᵀ) and adds gradScale · Σ_k w_k G_k ΔW A_k to the members' gradients.
    private double Kronecker(BlockState block, double gradScale)
    {
        var spec = block.Spec;
        int rows = spec.GDim, cols = spec.ADim, n = spec.InFeatures, size = rows * cols;
        var delta = _delta.AsSpan(0, size);
        var product = _product.AsSpan(0, size);
        var result = _result.AsSpan(0, size);
        int offset = 0;
        for (int m = 0; m < spec.Members.Count; m++)
        {
            int outs = spec.Members[m].OutFeatures;
            var w = block.Weights[m]?.Tau;
            var b = block.Biases[m]?.Tau;
            for (int r = 0; r < outs; r++)
            {
                var row = delta.Slice((offset + r) * cols, cols);
                if (w is not null) w.Span.Slice(r * n, n).CopyTo(row);
                else row[..n].Clear();
                if (spec.HasBias) row[n] = b is not null ? b.Span[r] : 0f;
            }
            offset += outs;
        }
        for (int k = 0; k < block.Terms.Length; k++)
        {
            var (weight, a, g) = block.Terms[k];
            // M = G ΔW (GDim × ADim), then R (+)= w · M A.
            Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, cols, rows, 1f, g, rows, delta, cols, 0f, product, cols);
            Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, cols, cols, (float)weight, product, cols, a, cols, k == 0 ? 0f : 1f, result, cols);
        }
        double value = Dot(delta, result);
        offset = 0;
        float scale = (float)gradScale;
        for (int m = 0; m < spec.Members.Count; m++)
        {
            int outs = spec.Members[m].OutFeatures;
            var w = block.Weights[m]?.Grad;
            var b = block.Biases[m]?.Grad;
            for (int r = 0; r < outs; r++)
            {
                var row = result.Slice((offset + r) * cols, cols);
                if (w is not null) TensorMath.AddScaled(row[..n], scale, w.Span.Slice(r * n, n));
                if (b is not null) b.Span[r] += scale * row[n];
            }
            offset += outs;
        }
        return value;
    }

    // Returns Δwᵀ F Δw and adds gradScale · F Δw to the parameter's gradient.
    private double Dense(DenseState dense, double gradScale)
    {
        int d = dense.Dim;
        var tau = dense.Parameter!.Tau.Span;
        var product = _product.AsSpan(0, d);
        Gemm.Default.Sgemm(Transpose.None, Transpose.None, d, 1, d, 1f, dense.F, d, tau, 1, 0f, product, 1);
        TensorMath.AddScaled(product, (float)gradScale, dense.Parameter.Grad.Span);
        return Dot(tau, product);
    }

    private static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)x[i] * y[i];
        return sum;
    }

    // Maps block members to trainable parameters once per parameter list; a repeated list is recognized by its elements.
    private void Bind(IReadOnlyList<TrainableParameter> parameters)
    {
        if (parameters.Count == _bound.Length)
        {
            bool same = true;
            for (int i = 0; i < _bound.Length && same; i++) same = ReferenceEquals(parameters[i], _bound[i]);
            if (same) return;
        }
        var byName = new Dictionary<string, TrainableParameter>(StringComparer.Ordinal);
        foreach (var p in parameters) byName[p.Name] = p;
        foreach (var block in _blocks) block.Bind(byName);
        foreach (var dense in _dense) dense.Bind(byName);
        _bound = [.. parameters];
    }

    private static TrainableParameter? Find(Dictionary<string, TrainableParameter> byName, string? name, ReadOnlySpan<int> shape)
    {
        if (name is null || !byName.TryGetValue(name, out var p)) return null;
        if (!p.Tau.HasShape(shape))
            throw new ArgumentException($"TAK: trainable parameter '{name}' is {p.Tau.ShapeText}, but its KFAC block expects {Tensor.ShapeString(shape)}.");
        return p;
    }

    private static float[] Single(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }

    // A Kronecker block's float32 terms and its member bindings.
    private sealed class BlockState(AggregatedKroneckerBlock block, double coefficient)
    {
        public readonly KroneckerBlockSpec Spec = block.Spec;
        public readonly double Coefficient = coefficient;
        public readonly (double Weight, float[] A, float[] G)[] Terms = [.. block.Terms.Select(t => (t.Weight, Single(t.A), Single(t.G)))];
        public readonly TrainableParameter?[] Weights = new TrainableParameter?[block.Spec.Members.Count];
        public readonly TrainableParameter?[] Biases = new TrainableParameter?[block.Spec.Members.Count];
        public bool Active;

        public void Bind(Dictionary<string, TrainableParameter> byName)
        {
            Active = false;
            for (int m = 0; m < Spec.Members.Count; m++)
            {
                var member = Spec.Members[m];
                Weights[m] = Find(byName, member.Weight, [member.OutFeatures, Spec.InFeatures]);
                Biases[m] = Find(byName, member.Bias, [member.OutFeatures]);
                Active |= Weights[m] is not null || Biases[m] is not null;
            }
        }
    }

    // A dense block's float32 F and its parameter binding.
    private sealed class DenseState(AggregatedDenseBlock block)
    {
        public readonly int Dim = block.Spec.Dim;
        public readonly string Name = block.Spec.Parameter;
        public readonly float[] F = Single(block.F);
        public TrainableParameter? Parameter;

        public void Bind(Dictionary<string, TrainableParameter> byName)
        {
            Parameter = byName.TryGetValue(Name, out var p) ? p : null;
            if (Parameter is not null && Parameter.Tau.Length != Dim)
                throw new ArgumentException($"TAK: trainable parameter '{Name}' has {Parameter.Tau.Length} entries, but its dense block expects {Dim}.");
        }
    }
}
