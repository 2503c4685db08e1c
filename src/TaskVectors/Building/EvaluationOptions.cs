// EvaluationOptions: settings of the evaluation table a plan produces (accuracy of each task's vector alone and of
// the merged model, through each task's own head).
namespace TaskVectors.Building;

/// <summary>How <c>Evaluate</c> measures accuracy. Each setting is checked where it is set.</summary>
public sealed record EvaluationOptions
{
    private readonly int _batchSize = 128;

    /// <summary>Examples per forward (or JVP) pass. Default 128.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "The evaluation batch size must be positive.");
    }
}
