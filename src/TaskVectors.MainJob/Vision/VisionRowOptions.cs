// VisionRowOptions: which of the committed vision tasks the row loads, and the logit scale of their prototype heads.
namespace TaskVectors.MainJob.Vision;

/// <summary>Settings of <see cref="VisionRow.Load(string, VisionRowOptions)"/>.</summary>
public sealed record VisionRowOptions
{
    private readonly float _logitScale = VisionRow.DefaultLogitScale;

    /// <summary>Task names to load, in this order (see <see cref="VisionRow.TaskNames"/>); null: all of them.</summary>
    public IReadOnlyList<string>? Tasks { get; init; }

    /// <summary>s of every head, logits = s·cos(f, prototype); must be positive and finite.</summary>
    public float LogitScale
    {
        get => _logitScale;
        init => _logitScale = value > 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LogitScale), value, "The logit scale must be positive and finite.");
    }
}
