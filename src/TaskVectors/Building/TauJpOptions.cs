// TauJpOptions: settings of the data-based τJp baseline regularizer (Yoshida et al., ICLR 2025) in a plan.
namespace TaskVectors.Building;

/// <summary>
/// τJp: R(τ) = β·(1/B) Σ_x ‖J(x; θ0)·τ‖² over a batch of b inputs from each other task of the plan at every optimizer
/// step (see <see cref="Curvature.TauJpRegularizer{TInput}"/>). Each setting is checked where it is set.
/// </summary>
public sealed record TauJpOptions
{
    private readonly double _beta = 1;
    private readonly int _batchSizePerTask = 16;

    /// <summary>β ≥ 0, the penalty's weight. Default 1.</summary>
    public double Beta
    {
        get => _beta;
        init => _beta = PlanChecks.Beta(value, nameof(Beta));
    }

    /// <summary>b, inputs drawn from each other task per optimizer step. Default 16.</summary>
    public int BatchSizePerTask
    {
        get => _batchSizePerTask;
        init => _batchSizePerTask = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSizePerTask), value, "τJp needs at least one input per other task and step.");
    }

    /// <summary>Seed of the other tasks' input orders. Default 0.</summary>
    public ulong Seed { get; init; }
}
