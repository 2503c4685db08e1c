// AlphaSelection: how a plan scales the merged task vector: θ0 + α·τ*, α fixed or searched on validation data
// (the first α of highest mean validation accuracy over the plan's tasks).
namespace TaskVectors.Building;

/// <summary>The scaling α of a merge: one fixed value, or the best of a grid on the tasks' validation data.</summary>
public sealed record AlphaSelection
{
    private AlphaSelection(IReadOnlyList<float> candidates, bool search)
    {
        Candidates = candidates;
        IsSearch = search;
    }

    /// <summary>The α values tried (one for a fixed α), in order; ties go to the first.</summary>
    public IReadOnlyList<float> Candidates { get; }

    /// <summary>Whether α is picked on validation data.</summary>
    public bool IsSearch { get; }

    /// <summary>The grid {0.2, 0.3, …, 1.2} used when a search names none.</summary>
    public static IReadOnlyList<float> DefaultGrid { get; } = [0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 1.1f, 1.2f];

    /// <summary>α = <paramref name="alpha"/> (finite).</summary>
    /// <exception cref="ArgumentOutOfRangeException">α is NaN or ±∞.</exception>
    public static AlphaSelection Fixed(float alpha) => new([PlanChecks.Alpha(alpha, nameof(alpha))], search: false);

    /// <summary>The α of <paramref name="grid"/> (default <see cref="DefaultGrid"/>) with the highest mean validation accuracy.</summary>
    /// <exception cref="ArgumentException">The grid is empty or holds NaN or ±∞.</exception>
    public static AlphaSelection Search(params float[]? grid)
    {
        if (grid is null || grid.Length == 0) return new(DefaultGrid, search: true);
        foreach (float a in grid)
            if (!float.IsFinite(a)) throw new ArgumentException($"The α grid holds {a}; every α must be finite.", nameof(grid));
        return new([.. grid], search: true);
    }

    /// <summary>A fixed α.</summary>
    public static implicit operator AlphaSelection(float alpha) => Fixed(alpha);
}
