// MergeTensor: one parameter's values in each of the T task vectors (each a span of the tensor's row-major
// elements), plus access to the same task vectors' other tensors for methods that merge a layer jointly.
namespace TaskVectors.Merging;

/// <summary>The values τ_t[p] of one tensor p in each task vector t, as given to <see cref="IMergeMethod.Merge"/>.</summary>
public sealed class MergeTensor
{
    private readonly ReadOnlyMemory<float>[] _tasks;
    private readonly int[] _shape;
    private readonly Func<int, string, float[]?> _other;

    internal MergeTensor(string name, int[] shape, ReadOnlyMemory<float>[] tasks, Func<int, string, float[]?> other)
    {
        Name = name;
        _shape = shape;
        _tasks = tasks;
        _other = other;
        Length = tasks.Length == 0 ? 0 : tasks[0].Length;
    }

    /// <summary>The parameter name.</summary>
    public string Name { get; }

    /// <summary>The tensor's shape.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>T, the number of task vectors.</summary>
    public int TaskCount => _tasks.Length;

    /// <summary>τ_t of this tensor, row-major.</summary>
    public ReadOnlySpan<float> Task(int t) => _tasks[t].Span;

    /// <summary>τ_t of another tensor <paramref name="name"/> of the same task vector (a copy), or null if it has none.</summary>
    public float[]? Other(int t, string name) => _other(t, name);
}
