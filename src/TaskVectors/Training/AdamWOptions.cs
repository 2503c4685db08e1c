// AdamWOptions: the hyperparameters of AdamW (β1, β2, ε, decoupled weight decay λ), PyTorch's defaults,
// validated where they are set. The learning rate is not here: it is passed to every step by a schedule.
namespace TaskVectors.Training;

/// <summary>
/// AdamW hyperparameters with torch.optim.AdamW's defaults: β1 = 0.9, β2 = 0.999, ε = 10⁻⁸, λ = 0.01.
/// The reference TAK/task-vectors fine-tuning uses λ = 0.1.
/// </summary>
public sealed record AdamWOptions
{
    /// <summary>β1, decay rate of the first-moment average m; in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public double Beta1
    {
        get;
        init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Beta1), value, "β1 must lie in [0, 1).");
    } = 0.9;

    /// <summary>β2, decay rate of the second-moment average v; in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public double Beta2
    {
        get;
        init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Beta2), value, "β2 must lie in [0, 1).");
    } = 0.999;

    /// <summary>ε, added to √v̂ in the denominator; finite and ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double Epsilon
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Epsilon), value, "ε must be finite and non-negative.");
    } = 1e-8;

    /// <summary>λ, the decoupled weight decay: every step first scales θ by 1 − lr·λ; finite and ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double WeightDecay
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(WeightDecay), value, "Weight decay must be finite and non-negative.");
    } = 0.01;
}
