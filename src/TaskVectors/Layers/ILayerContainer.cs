// ILayerContainer: a layer built from other layers (a residual block), so a registration can declare the
// inner layers — and give each its curvature role — by declaring the container.
namespace TaskVectors.Layers;

/// <summary>A layer whose parameters are exactly those of <see cref="Children"/>, in order.</summary>
public interface ILayerContainer : IParameterized
{
    /// <summary>The inner layers, in forward order.</summary>
    IReadOnlyList<IParameterized> Children { get; }
}
