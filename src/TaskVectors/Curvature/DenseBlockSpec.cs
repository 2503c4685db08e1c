// DenseBlockSpec: the shape of one full dense curvature block: a parameter vector p of length d
// (a LayerNorm γ or β, the class embedding) with F_p of d × d.
namespace TaskVectors.Curvature;

/// <summary>A dense block F_p (Dim × Dim) over the flattened parameter <paramref name="Parameter"/>.</summary>
/// <param name="Parameter">The parameter's dotted name.</param>
/// <param name="Dim">Its number of entries d.</param>
public sealed record DenseBlockSpec(string Parameter, int Dim);
