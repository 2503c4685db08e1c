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
    private readonly FactorBinding _binding;
    private readonly (double Weight, float[] A, float[] G)[][] _terms;
    private readonly float[][] _dense;
    private readonly double[] _coefficients;
    private string? _identity;
    private readonly float[] _delta, _product, _result;

    /// <summary>Creates the penalty for <paramref name="factors"/> (e.g. <see cref="FactorAggregate.AllBut"/>) with <paramref name="options"/>.</summary>
    public TakRegularizer(AggregatedFactors factors, TakOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factors);
        Options = options ?? new TakOptions();
        Options.Validate();
        Factors = factors;
        _binding = new FactorBinding(factors, "TAK");
        _coefficients = [.. factors.Blocks.Select(b => Options.BlockCoefficient(b.Spec.Name))];
        _terms = [.. factors.Blocks.Select(b => b.Terms.Select(t => (t.Weight, TensorMath.ToSingle(t.A), TensorMath.ToSingle(t.G))).ToArray())];
        _dense = [.. factors.DenseBlocks.Select(d => TensorMath.ToSingle(d.F))];
        int size = Math.Max(_binding.LargestBlock, factors.DenseBlocks.Select(d => d.Spec.Dim).DefaultIfEmpty().Max());
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
    /// <remarks>"tak(beta=…, c_ln=…, c_proj=…, projection_blocks=[…], form=…, tasks=…, base=…, curvature=sha256:…)", the hash over the float32 curvature.</remarks>
    public string Identity => _identity ??= FactorBinding.Identity(Name, Options, Factors, _terms.SelectMany(b => b.SelectMany(t => new[] { t.A, t.G })).Concat(_dense));

    /// <inheritdoc />
    /// <remarks>The base model the factors were estimated at (<see cref="AggregatedFactors.BaseFingerprint"/>).</remarks>
    public string? BaseFingerprint => Factors.BaseFingerprint;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A trainable parameter covered by a block has the wrong shape.</exception>
    /// <exception cref="InvalidOperationException">No block covers any trainable parameter (the penalty would be 0 whatever β).</exception>
    public void Prepare(IReadOnlyList<TrainableParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _binding.Bind(parameters);
    }

    /// <inheritdoc />
    /// <remarks>The penalty is data-free and deterministic in τ, so <paramref name="step"/> is ignored.</remarks>
    /// <exception cref="ArgumentException">A trainable parameter covered by a block has the wrong shape.</exception>
    /// <exception cref="InvalidOperationException">No block covers any trainable parameter.</exception>
    public double AddPenaltyGradient(IReadOnlyList<TrainableParameter> parameters, long step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _binding.Bind(parameters);
        double beta = Options.Beta, total = 0;
        for (int b = 0; b < _terms.Length; b++)
        {
            if (!_binding.Active(b)) continue;
            double c = beta * _coefficients[b];
            total += c * Kronecker(b, 2 * c);
        }
        double cln = beta * Options.LayerNormCoefficient;
        for (int d = 0; d < _dense.Length; d++)
        {
            if (_binding.Dense(d) is not { } p) continue;
            total += cln * Dense(_dense[d], p, 2 * cln);
        }
        return total;
    }

    // Returns Σ_k w_k tr(G_k ΔW A_k ΔWᵀ) of block b and adds gradScale · Σ_k w_k G_k ΔW A_k to the members' gradients.
    private double Kronecker(int b, double gradScale)
    {
        var spec = Factors.Blocks[b].Spec;
        int rows = spec.GDim, cols = spec.ADim, size = rows * cols;
        var delta = _delta.AsSpan(0, size);
        var product = _product.AsSpan(0, size);
        var result = _result.AsSpan(0, size);
        _binding.Gather(b, delta);
        var terms = _terms[b];
        for (int k = 0; k < terms.Length; k++)
        {
            var (weight, a, g) = terms[k];
            // M = G ΔW (GDim × ADim), then R (+)= w · M A.
            Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, cols, rows, 1f, g, rows, delta, cols, 0f, product, cols);
            Gemm.Default.Sgemm(Transpose.None, Transpose.None, rows, cols, cols, (float)weight, product, cols, a, cols, k == 0 ? 0f : 1f, result, cols);
        }
        double value = TensorMath.DotDouble(delta, result);
        _binding.ScatterAdd(b, result, (float)gradScale);
        return value;
    }

    // Returns Δwᵀ F Δw and adds gradScale · F Δw to the parameter's gradient.
    private double Dense(float[] f, TrainableParameter parameter, double gradScale)
    {
        var tau = parameter.Tau.Span;
        int d = tau.Length;
        var product = _product.AsSpan(0, d);
        Gemm.Default.Sgemm(Transpose.None, Transpose.None, d, 1, d, 1f, f, d, tau, 1, 0f, product, 1);
        TensorMath.AddScaled(product, (float)gradScale, parameter.Grad.Span);
        return TensorMath.DotDouble(tau, product);
    }
}
