// FisherMerge: diagonal Fisher merging (Matena & Raffel, NeurIPS 2022, "Merging Models with Fisher-Weighted
// Averaging"): θ* = Σ_t F_t θ_t / Σ_t F_t element-wise; on task vectors τ* = Σ_t F_t τ_t / Σ_t F_t (θ0 drops out).
// Dataless: F_t is the diagonal GGN the factor files already carry, S_D/N at θ0 for Linear members (layout of
// [W | b]) and diag(S_F)/N for dense blocks; ε (FusionBench's minimal_fisher_weight) is added to every entry, so
// tensors without curvature are averaged.
namespace TaskVectors.Merging;

/// <summary>
/// Diagonal Fisher merging ("fisher"): τ*_i = Σ_t (F_t,i + ε) τ_t,i / Σ_t (F_t,i + ε), F_t the diagonal GGN of task t's
/// factor file (<see cref="MergeOptions.Factors"/>, estimated with diagonals), ε = <see cref="MergeOptions.FisherFloor"/>.
/// </summary>
public sealed class FisherMerge : IMergeMethod
{
    private FactorIndex? _index;
    private double[] _numerator = [], _denominator = [];

    /// <summary>Creates the method; <see cref="MergeOptions.Factors"/> must hold one factor set with diagonals per task vector.</summary>
    public FisherMerge(MergeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The options (<see cref="MergeOptions.Factors"/>, <see cref="MergeOptions.FisherFloor"/>).</summary>
    public MergeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "fisher";

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Factors are missing, lack diagonals, are of another base or layout, or do not fit the tensors.</exception>
    public void Prepare(MergePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _index = FactorIndex.Build("Fisher merging", Options, plan, needDiagonal: true);
    }

    /// <inheritdoc />
    public void Merge(MergeTensor tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var index = _index ?? throw new InvalidOperationException("Fisher merging: Prepare was not called.");
        int d = tensor.Length;
        if (_numerator.Length < d)
        {
            _numerator = new double[d];
            _denominator = new double[d];
        }
        var numerator = _numerator.AsSpan(0, d);
        var denominator = _denominator.AsSpan(0, d);
        numerator.Clear();
        denominator.Clear();
        bool linear = index.TryLinear(tensor.Name, out int b, out var member, out int rowOffset);
        int dense = index.Dense(tensor.Name);
        double floor = Options.FisherFloor;
        for (int t = 0; t < tensor.TaskCount; t++)
        {
            var x = tensor.Task(t);
            for (int i = 0; i < d; i++)
            {
                double f = floor + Fisher(index, t, linear, b, member, rowOffset, dense, tensor.Name, i);
                numerator[i] += f * x[i];
                denominator[i] += f;
            }
        }
        for (int i = 0; i < d; i++) destination[i] = (float)(numerator[i] / denominator[i]);
    }

    // F_t for entry i of the tensor: S_D[o, i] / N (weight), S_D[o, in] / N (bias), S_F[i, i] / N (dense), else 0.
    private static double Fisher(FactorIndex index, int t, bool linear, int b, Curvature.KroneckerMember member, int rowOffset, int dense, string name, int i)
    {
        if (linear)
        {
            var block = index.Factors[t].Blocks[b];
            int adim = block.Spec.ADim, input = block.Spec.InFeatures;
            long at = name == member.Weight
                ? (long)(rowOffset + i / input) * adim + i % input
                : (long)(rowOffset + i) * adim + input;
            return block.Diagonal![at] / block.Count;
        }
        if (dense >= 0)
        {
            var block = index.Factors[t].DenseBlocks[dense];
            return block.F[(long)i * block.Spec.Dim + i] / block.Count;
        }
        return 0;
    }
}
