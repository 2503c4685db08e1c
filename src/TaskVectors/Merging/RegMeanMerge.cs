// RegMeanMerge: RegMean (Jin et al., ICLR 2023, "Dataless Knowledge Fusion by Merging Weights of Language Models"),
// dataless given factor files: a Linear layer's merged weights minimize Σ_t ‖X_t W − X_t W_t‖², so
// W* = (Σ_t G̃_t)⁻¹ Σ_t G̃_t W_t with G_t the input Gram. The KFAC A factor of a block is that Gram over ā = [a; 1]
// (A_t = S_A,t / N_t, the per-example mean, so tasks weigh alike whatever their sample counts), so weight and bias are
// solved jointly: [W|b]* = (Σ_t [ΔW_t|Δb_t] Ã_t)(Σ_t Ã_t)⁻¹ in the (out × in+1) layout; Ã = A with off-diagonal
// entries times α (FusionBench's reduce_non_diagonal_ratio). θ0 drops out: Σ Ã_t (θ0 + τ_t) (ΣÃ)⁻¹ = θ0 + τ*.
// A bias absent from the task vectors is held at Δb = 0 (its column is dropped). Other tensors are averaged.
using MathNet.Numerics.LinearAlgebra;

namespace TaskVectors.Merging;

/// <summary>
/// RegMean ("regmean") with the tasks' KFAC input Grams (<see cref="MergeOptions.Factors"/>): for every Linear member of a
/// KFAC block, [ΔW|Δb]* = (Σ_t [ΔW_t|Δb_t]·Ã_t)·(Σ_t Ã_t)⁻¹, Ã_t = (S_A,t/N_t) with off-diagonals × <see cref="MergeOptions.NonDiagonalRatio"/>;
/// other tensors (LayerNorm, embeddings) are averaged, (1/T) Σ_t τ_t.
/// </summary>
public sealed class RegMeanMerge : IMergeMethod
{
    private readonly Dictionary<string, float[]> _solved = new(StringComparer.Ordinal);
    private FactorIndex? _index;
    private HashSet<string> _names = [];

    /// <summary>Creates the method; <see cref="MergeOptions.Factors"/> must hold one factor set per task vector.</summary>
    public RegMeanMerge(MergeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The options (<see cref="MergeOptions.Factors"/>, <see cref="MergeOptions.NonDiagonalRatio"/>).</summary>
    public MergeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "regmean";

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Factors are missing, of another base, of another layout, or do not fit the tensors.</exception>
    public void Prepare(MergePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _index = FactorIndex.Build("RegMean", Options, plan, needDiagonal: false);
        _names = [.. plan.Tensors.Select(t => t.Name)];
        _solved.Clear();
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException"><see cref="Prepare"/> was not called, or Σ_t Ã_t is singular for a block.</exception>
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var index = _index ?? throw new InvalidOperationException("RegMean: Prepare was not called.");
        if (_solved.Remove(tensor.Name, out var done))
        {
            done.CopyTo(destination);
            return;
        }
        if (!index.TryLinear(tensor.Name, out int b, out var member, out _))
        {
            MergeKernels.Mean(tensor, destination);
            return;
        }
        var spec = index.Factors[0].Blocks[b].Spec;
        int input = spec.InFeatures, output = member.OutFeatures;
        bool withBias = member.Bias is not null && _names.Contains(member.Bias);
        int k = input + (withBias ? 1 : 0);
        var sumA = Matrix<double>.Build.Dense(k, k);
        var sumWA = Matrix<double>.Build.Dense(output, k);
        for (int t = 0; t < tensor.TaskCount; t++)
        {
            var a = Gram(index.Factors[t].Blocks[b], k);
            var w = Matrix<double>.Build.Dense(output, k);
            var weight = tensor.Name == member.Weight ? tensor.Task(t).ToArray() : tensor.Other(t, member.Weight)!;
            for (int o = 0; o < output; o++)
                for (int i = 0; i < input; i++) w[o, i] = weight[o * input + i];
            if (withBias)
            {
                var bias = tensor.Name == member.Bias ? tensor.Task(t).ToArray() : tensor.Other(t, member.Bias!)!;
                for (int o = 0; o < output; o++) w[o, input] = bias[o];
            }
            sumA += a;
            sumWA += w * a;
        }
        // X·ΣÃ = Σ W_t Ã_t with ΣÃ symmetric: ΣÃ·Xᵀ = (Σ W_t Ã_t)ᵀ.
        var merged = sumA.Solve(sumWA.Transpose()).Transpose();
        if (merged.Enumerate().Any(v => !double.IsFinite(v)))
            throw new InvalidOperationException(
                $"RegMean: the summed input Gram of block '{spec.Name}' is singular; lower MergeOptions.NonDiagonalRatio below 1 to regularize it.");
        var weightOut = new float[output * input];
        for (int o = 0; o < output; o++)
            for (int i = 0; i < input; i++) weightOut[o * input + i] = (float)merged[o, i];
        float[]? biasOut = null;
        if (withBias)
        {
            biasOut = new float[output];
            for (int o = 0; o < output; o++) biasOut[o] = (float)merged[o, input];
        }
        if (tensor.Name == member.Weight)
        {
            weightOut.CopyTo(destination);
            if (biasOut is not null) _solved[member.Bias!] = biasOut;
        }
        else
        {
            biasOut!.CopyTo(destination);
            _solved[member.Weight] = weightOut;
        }
    }

    // Ã = S_A/N over the first k rows and columns, off-diagonal entries times the ratio.
    private Matrix<double> Gram(Curvature.KroneckerBlock block, int k)
    {
        int dim = block.Spec.ADim;
        double scale = 1.0 / block.Count, ratio = Options.NonDiagonalRatio;
        var a = Matrix<double>.Build.Dense(k, k);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) a[i, j] = block.A[(long)i * dim + j] * scale * (i == j ? 1 : ratio);
        return a;
    }
}
