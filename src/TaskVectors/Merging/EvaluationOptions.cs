// EvaluationOptions: the α grid of the sweep, the negation control threshold and the batch size, validated where set.
namespace TaskVectors.Merging;

/// <summary>Settings of the evaluation protocol (<see cref="MergeEvaluation"/>).</summary>
public sealed record EvaluationOptions
{
    private readonly IReadOnlyList<float> _alphas = [.. Enumerable.Range(0, 21).Select(i => i * 0.05f)];
    private readonly double _controlThreshold = 0.95;
    private readonly int _batchSize = 128;

    /// <summary>The α grid of the validation sweep (task arithmetic's 0, 0.05, …, 1 by default). Non-empty, finite, ascending, distinct.</summary>
    public IReadOnlyList<float> Alphas
    {
        get => _alphas;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count == 0) throw new ArgumentException("The α grid is empty.", nameof(Alphas));
            for (int i = 0; i < value.Count; i++)
            {
                if (!float.IsFinite(value[i])) throw new ArgumentOutOfRangeException(nameof(Alphas), value[i], $"α[{i}] is not finite.");
                if (i > 0 && !(value[i] > value[i - 1])) throw new ArgumentException($"The α grid must ascend strictly; α[{i}] = {value[i]} follows {value[i - 1]}.", nameof(Alphas));
            }
            _alphas = [.. value];
        }
    }

    /// <summary>Negation: the largest α is taken whose control accuracy is at least this fraction of the base model's (paper: 0.95). In (0, 1].</summary>
    public double ControlThreshold
    {
        get => _controlThreshold;
        init => _controlThreshold = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ControlThreshold), value, "The control threshold must lie in (0, 1].");
    }

    /// <summary>Evaluation batch size. Positive.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "The batch size must be positive.");
    }
}
