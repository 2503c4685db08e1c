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

    /// <summary>The grid used when a search names none: the evaluation protocol's {0, 0.05, …, 1} (<see cref="Merging.EvaluationOptions.Alphas"/>).</summary>
    public static IReadOnlyList<float> DefaultGrid { get; } = new Merging.EvaluationOptions().Alphas;

    /// <summary>α = <paramref name="alpha"/> (finite).</summary>
    /// <exception cref="ArgumentOutOfRangeException">α is NaN or ±∞.</exception>
    public static AlphaSelection Fixed(float alpha) => new([PlanChecks.Alpha(alpha, nameof(alpha))], search: false);

    /// <summary>
    /// The α of <paramref name="grid"/> (default <see cref="DefaultGrid"/>) with the highest mean validation accuracy (the
    /// first, so the smallest, of equal maxima), as the evaluation protocol picks it.
    /// </summary>
    /// <exception cref="ArgumentException">The grid holds NaN or ±∞, or does not ascend strictly.</exception>
    public static AlphaSelection Search(params float[]? grid)
    {
        if (grid is null || grid.Length == 0) return new(DefaultGrid, search: true);
        for (int i = 0; i < grid.Length; i++)
        {
            if (!float.IsFinite(grid[i])) throw new ArgumentException($"The α grid holds {grid[i]}; every α must be finite.", nameof(grid));
            if (i > 0 && !(grid[i] > grid[i - 1])) throw new ArgumentException($"The α grid must ascend strictly; α[{i}] = {grid[i]} follows {grid[i - 1]}.", nameof(grid));
        }
        return new([.. grid], search: true);
    }

    /// <summary>A fixed α.</summary>
    public static implicit operator AlphaSelection(float alpha) => Fixed(alpha);
}
