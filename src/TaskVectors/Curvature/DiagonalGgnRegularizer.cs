// DiagonalGgnRegularizer: the paper's dataless diagonal baseline: the other tasks' GGN kept on its diagonal
// only, R(τ) = β·[Σ_blocks c_b Σ_{o,i} D*[o,i]·ΔW[o,i]² + c_ln Σ_p Σ_i F*_p[i,i]·Δw_p[i]²], gradient 2β c D*⊙ΔW.
// D* (GDim × ADim per block) comes from factor files estimated with KfacOptions.Diagonal; dense blocks use diag(F*).
using TaskVectors.Tensors;
using TaskVectors.Training;

namespace TaskVectors.Curvature;

/// <summary>
/// The diagonal-GGN penalty: R(τ) = β·[Σ_blocks c_b Σ_{o,i} D*_b[o, i] ΔW_b[o, i]² + c_ln Σ_p Σ_i F*_p[i, i] Δw_p[i]²] with
/// the weights of <see cref="TakOptions"/> (c_b = c_proj for projection blocks, else 1), so it compares with
/// <see cref="TakRegularizer"/> like for like: the same factor pass, the same aggregation (D* = Σ_u S^D_u / N_u, as G*),
/// the curvature cut to its diagonal. ∂R/∂ΔW = 2β c_b D* ⊙ ΔW and ∂R/∂Δw_p = 2β c_ln diag(F*_p) ⊙ Δw_p.
/// </summary>
/// <remarks>
/// Cost O(#parameters) per step. Products run in float32 over float32 copies of D*; the penalty sums in float64.
/// Untrained members count as τ = 0; after the first call with a given parameter list a call allocates nothing.
/// </remarks>
public sealed class DiagonalGgnRegularizer : IRegularizer
{
    private readonly FactorBinding _binding;
    private readonly float[][] _diagonals, _denseDiagonals;
    private readonly double[] _coefficients;
    private string? _identity;
    private readonly float[] _delta, _result;

    /// <summary>Creates the penalty for <paramref name="factors"/>, which must carry diagonals.</summary>
    /// <exception cref="ArgumentException">The factors carry no diagonals (estimate them with <see cref="KfacOptions.Diagonal"/>).</exception>
    public DiagonalGgnRegularizer(AggregatedFactors factors, TakOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factors);
        Options = options ?? new TakOptions();
        Options.Validate();
        if (factors.Blocks.FirstOrDefault(b => b.Diagonal is null) is { } missing)
            throw new ArgumentException(
                $"Diagonal GGN: block '{missing.Spec.Name}' has no diagonal; estimate the factors with KfacOptions.Diagonal = true.", nameof(factors));
        Factors = factors;
        _binding = new FactorBinding(factors, "Diagonal GGN");
        _coefficients = [.. factors.Blocks.Select(b => Options.BlockCoefficient(b.Spec.Name))];
        _diagonals = [.. factors.Blocks.Select(b => TensorMath.ToSingle(b.Diagonal!))];
        _denseDiagonals = [.. factors.DenseBlocks.Select(d =>
        {
            var diagonal = new float[d.Spec.Dim];
            for (int i = 0; i < diagonal.Length; i++) diagonal[i] = (float)d.F[(long)i * d.Spec.Dim + i];
            return diagonal;
        })];
        _delta = new float[_binding.LargestBlock];
        _result = new float[_binding.LargestBlock];
    }

    /// <inheritdoc />
    public string Name => "diag-ggn";

    /// <summary>The penalty weights (shared with TAK).</summary>
    public TakOptions Options { get; }

    /// <summary>The aggregated factors whose diagonals the penalty uses.</summary>
    public AggregatedFactors Factors { get; }

    /// <inheritdoc />
    /// <remarks>"diag-ggn(beta=…, c_ln=…, c_proj=…, projection_blocks=[…], form=…, tasks=…, base=…, curvature=sha256:…)", the hash over the float32 curvature.</remarks>
    public string Identity => _identity ??= FactorBinding.Identity(Name, Options, Factors, _diagonals.Concat(_denseDiagonals));

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
        for (int b = 0; b < _diagonals.Length; b++)
        {
            if (!_binding.Active(b)) continue;
            int size = _diagonals[b].Length;
            var delta = _delta.AsSpan(0, size);
            var result = _result.AsSpan(0, size);
            _binding.Gather(b, delta);
            // result = D ⊙ ΔW; R_b = ⟨ΔW, D ⊙ ΔW⟩.
            TensorMath.Multiply(_diagonals[b], delta, result);
            double c = beta * _coefficients[b];
            total += c * TensorMath.DotDouble(delta, result);
            _binding.ScatterAdd(b, result, (float)(2 * c));
        }
        double cln = beta * Options.LayerNormCoefficient;
        for (int d = 0; d < _denseDiagonals.Length; d++)
        {
            var p = _binding.Dense(d);
            if (p is null) continue;
            var tau = p.Tau.Span;
            var grad = p.Grad.Span;
            var diagonal = _denseDiagonals[d];
            double value = 0;
            for (int i = 0; i < tau.Length; i++)
            {
                float product = diagonal[i] * tau[i];
                value += (double)product * tau[i];
                grad[i] += (float)(2 * cln) * product;
            }
            total += cln * value;
        }
        return total;
    }
}
