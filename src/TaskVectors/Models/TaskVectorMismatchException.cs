// TaskVectorMismatchException: operands of a task-vector operation (sum, difference, merge) disagree on
// base model, regime, tensor names or shapes. Every disagreement is listed at once.
namespace TaskVectors.Models;

/// <summary>
/// Thrown when task vectors combined by one operation do not share a base model (fingerprint), a regime, or
/// the same tensor names and shapes. <see cref="Mismatches"/> lists every disagreement; nothing was computed.
/// </summary>
public sealed class TaskVectorMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception from a non-empty list of disagreements.</summary>
    public TaskVectorMismatchException(string operation, IReadOnlyList<string> mismatches)
        : base($"{operation}: the task vectors do not match ({mismatches.Count} mismatch{(mismatches.Count == 1 ? "" : "es")}):\n  " + string.Join("\n  ", mismatches))
    {
        Mismatches = mismatches;
    }

    /// <summary>One line per disagreement, naming the operand (file or position) and the tensor.</summary>
    public IReadOnlyList<string> Mismatches { get; }
}
