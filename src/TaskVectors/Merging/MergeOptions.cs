// MergeOptions: the hyperparameters of every registered merge method, each validated where it is set.
using TaskVectors.Curvature;

namespace TaskVectors.Merging;

/// <summary>Hyperparameters of the merge methods (<see cref="MergeMethods.Create"/>); a method reads the ones it uses.</summary>
public sealed record MergeOptions
{
    private readonly double _density = 0.2, _dropRate = 0.5, _lambda = 0.4, _commonSpaceFraction = 0.8, _nonDiagonalRatio = 0.9, _fisherFloor = 1e-6;
    private readonly int _minTasks = 2, _tallTask;
    private readonly IReadOnlyList<TaskFactors>? _factors;

    /// <summary>TIES: the fraction k of each task's entries kept per tensor, by magnitude (paper default 0.2: top 20 %). In (0, 1].</summary>
    public double Density
    {
        get => _density;
        init => _density = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Density), value, "TIES density k must lie in (0, 1].");
    }

    /// <summary>DARE: the drop probability p (kept entries are rescaled by 1/(1 − p)). In [0, 1).</summary>
    public double DropRate
    {
        get => _dropRate;
        init => _dropRate = value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(DropRate), value, "DARE drop rate p must lie in [0, 1).");
    }

    /// <summary>DARE: the seed of the drop masks (each task and tensor draws from its own stream, so order does not matter).</summary>
    public ulong Seed { get; init; }

    /// <summary>TALL masks / Consensus: λ in m_t = |τ_t| ≥ λ·|τ_MTL − τ_t| (the paper picks λ_t ∈ [0.2, 0.6] on validation). Positive, finite.</summary>
    public double Lambda
    {
        get => _lambda;
        init => _lambda = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Lambda), value, "TALL λ must be positive and finite.");
    }

    /// <summary>Consensus: keep the entries whose TALL masks are on for at least k tasks (paper default 2). At least 0.</summary>
    public int MinTasks
    {
        get => _minTasks;
        init => _minTasks = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinTasks), value, "Consensus k must be at least 0.");
    }

    /// <summary>TALL: the task t whose mask m_t ⊙ τ_MTL the "tall" method returns. At least 0 (and below T at merge time).</summary>
    public int TallTask
    {
        get => _tallTask;
        init => _tallTask = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(TallTask), value, "The TALL task index must be at least 0.");
    }

    /// <summary>ISO-CTS: the fraction of the rank given to the common subspace (paper default 0.8). In [0, 1].</summary>
    public double CommonSpaceFraction
    {
        get => _commonSpaceFraction;
        init => _commonSpaceFraction = value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CommonSpaceFraction), value, "ISO-CTS common-space fraction must lie in [0, 1].");
    }

    /// <summary>RegMean: the factor α applied to the Grams' off-diagonal entries (1 = plain RegMean). In [0, 1].</summary>
    public double NonDiagonalRatio
    {
        get => _nonDiagonalRatio;
        init => _nonDiagonalRatio = value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(NonDiagonalRatio), value, "RegMean's non-diagonal ratio must lie in [0, 1].");
    }

    /// <summary>Fisher merging: ε added to every Fisher entry, so parameters without curvature are averaged. Positive, finite.</summary>
    public double FisherFloor
    {
        get => _fisherFloor;
        init => _fisherFloor = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(FisherFloor), value, "The Fisher floor must be positive and finite.");
    }

    /// <summary>RegMean and Fisher merging: one factor file's contents per task vector, in the same order, at the same base model.</summary>
    public IReadOnlyList<TaskFactors>? Factors
    {
        get => _factors;
        init
        {
            if (value is not null && value.Any(f => f is null)) throw new ArgumentException("A task's factors are null.", nameof(Factors));
            _factors = value;
        }
    }
}
