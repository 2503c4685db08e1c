// TaskVectorCombineOptions: what a task-vector operation may leave out of its operand checks.
namespace TaskVectors.Models;

/// <summary>Options of the task-vector algebra (<see cref="TaskVector.Sum(IReadOnlyList{TaskVector}, TaskVectorCombineOptions?)"/> and friends).</summary>
public sealed record TaskVectorCombineOptions
{
    private readonly IReadOnlySet<string> _skip = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Tensor names left out of the result and out of the name and shape checks (e.g. a head or an embedding one operand
    /// lacks). Base model and regime are always checked.
    /// </summary>
    /// <exception cref="ArgumentException">A name is null or empty.</exception>
    public IReadOnlySet<string> Skip
    {
        get => _skip;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Any(string.IsNullOrEmpty)) throw new ArgumentException("A skipped tensor name is null or empty.", nameof(Skip));
            _skip = new HashSet<string>(value, StringComparer.Ordinal);
        }
    }

    /// <summary>The defaults: nothing skipped.</summary>
    public static TaskVectorCombineOptions Default { get; } = new();
}
