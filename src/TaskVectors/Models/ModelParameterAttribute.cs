// ModelParameterAttribute: marks a plain Parameter field or property of a [GeneratedModel] class.
namespace TaskVectors.Models;

/// <summary>
/// A plain <see cref="Layers.Parameter"/> the model uses directly. It has no curvature block, so set
/// <see cref="Excluded"/> (TAK leaves it unpenalized) or KFAC estimation fails naming it.
/// </summary>
/// <param name="name">The parameter's full dotted name, or null for the member-derived one (see <see cref="LayerAttribute"/>).</param>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
public sealed class ModelParameterAttribute(string? name = null) : Attribute
{
    /// <summary>The name override, or null.</summary>
    public string? Name { get; } = name;

    /// <summary>Whether the parameter is declared without curvature (<see cref="CurvatureRole.Excluded"/>).</summary>
    public bool Excluded { get; set; }
}
