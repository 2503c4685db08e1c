// DerivativeCheckOptions: step, tolerances and sampling of ModelChecks.Derivatives.
namespace TaskVectors.Models;

/// <summary>
/// Settings of <see cref="ModelChecks.Derivatives{TInput}"/>. A finite-difference comparison of fd and an analytic value g
/// passes when |fd − g| ≤ <see cref="AbsoluteTolerance"/> + <see cref="RelativeTolerance"/>·max(|fd|, |g|); the adjoint
/// identity passes when |⟨u, J_p v_p⟩ − ⟨J_pᵀu, v_p⟩| ≤ <see cref="AdjointTolerance"/>·(max(‖u‖‖J_p v_p‖, ‖J_pᵀu‖‖v_p‖) + ‖u‖‖v_p‖)
/// (both sides are exact up to float rounding; the last term is the scale of a unit Jacobian). The defaults suit float32 models with O(1) activations.
/// </summary>
public sealed record DerivativeCheckOptions
{
    /// <summary>Central-difference step ε (default 1e-3).</summary>
    public double Epsilon { get; init; } = 1e-3;

    /// <summary>Absolute tolerance of finite-difference comparisons (default 2e-3).</summary>
    public double AbsoluteTolerance { get; init; } = 2e-3;

    /// <summary>Relative tolerance of finite-difference comparisons (default 1e-2).</summary>
    public double RelativeTolerance { get; init; } = 1e-2;

    /// <summary>Relative tolerance of the adjoint identity (default 1e-4).</summary>
    public double AdjointTolerance { get; init; } = 1e-4;

    /// <summary>Random coordinates of each parameter whose gradient is checked one by one (default 6; all when fewer).</summary>
    public int Coordinates { get; init; } = 6;

    /// <summary>Seed of the random output weights, coordinates and directions (default 1).</summary>
    public ulong Seed { get; init; } = 1;

    internal void Validate()
    {
        if (!(Epsilon > 0 && double.IsFinite(Epsilon))) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "The step must be positive and finite.");
        if (!(AbsoluteTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), AbsoluteTolerance, "Tolerances must be non-negative.");
        if (!(RelativeTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "Tolerances must be non-negative.");
        if (!(AdjointTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(AdjointTolerance), AdjointTolerance, "Tolerances must be non-negative.");
        ArgumentOutOfRangeException.ThrowIfNegative(Coordinates);
    }
}
