// DenseBlockSpec: the shape of one full dense curvature block: a parameter vector p of length d
// (a LayerNorm γ or β, the class embedding) with F_p of d × d.
namespace TaskVectors.Curvature;

/// <summary>A dense block F_p (Dim × Dim) over the flattened parameter <paramref name="Parameter"/>.</summary>
/// <param name="Parameter">The parameter's dotted name, not empty.</param>
/// <param name="Dim">Its number of entries d, positive, with d² ≤ <see cref="Array.MaxLength"/>.</param>
/// <exception cref="ArgumentException">The name is null or empty, or d is out of range.</exception>
public sealed record DenseBlockSpec(string Parameter, int Dim)
{
    /// <summary>The parameter's dotted name.</summary>
    public string Parameter { get; init; } = string.IsNullOrEmpty(Parameter)
        ? throw new ArgumentException("A dense block's parameter name is empty.", nameof(Parameter))
        : Parameter;

    /// <summary>Its number of entries d.</summary>
    public int Dim { get; init; } = Dim > 0 && (long)Dim * Dim <= Array.MaxLength
        ? Dim
        : throw new ArgumentException($"Dense block '{Parameter}': {Dim} entries give an F of {Dim}², outside 1 … {Array.MaxLength}.", nameof(Dim));
}
