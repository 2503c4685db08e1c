// NegationOptions: task negation θ0 − α·τ_t (forgetting task t): the α grid and the control criterion of the
// paper's protocol (the α that keeps the other tasks' accuracy ≥ 95 % of the base model's).
namespace TaskVectors.Building;

/// <summary>How <c>Negate</c> picks α. Each setting is checked where it is set.</summary>
public sealed record NegationOptions
{
    private readonly IReadOnlyList<float> _alphas = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f];
    private readonly double _controlThreshold = 0.95;

    /// <summary>α values tried for θ0 − α·τ_t. Default {0.1, 0.2, …, 1.0}. Finite, non-empty.</summary>
    public IReadOnlyList<float> Alphas
    {
        get => _alphas;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Alphas));
            if (value.Count == 0 || value.Any(a => !float.IsFinite(a)))
                throw new ArgumentException("The negation α grid must be non-empty and finite.", nameof(Alphas));
            _alphas = [.. value];
        }
    }

    /// <summary>The control tasks' accuracy must stay ≥ this fraction of the base model's. Default 0.95; in [0, 1].</summary>
    public double ControlThreshold
    {
        get => _controlThreshold;
        init => _controlThreshold = value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ControlThreshold), value, "The control threshold must lie in [0, 1].");
    }
}
