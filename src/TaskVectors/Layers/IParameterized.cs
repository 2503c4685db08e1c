// IParameterized: anything that owns named parameters (a layer, a block, a model).
namespace TaskVectors.Layers;

/// <summary>Owns named parameters, listed in a fixed, deterministic order.</summary>
public interface IParameterized
{
    /// <summary>Every parameter this object owns, its children's included.</summary>
    IReadOnlyList<Parameter> Parameters { get; }
}
