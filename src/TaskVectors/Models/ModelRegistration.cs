// ModelRegistration: the single declaration of a model's parameters (in fingerprint and checkpoint order),
// its KFAC layers and per-sample-gradient layers (in declaration order) and the parameters it excludes from
// curvature; every derived list (Parameters, the KFAC layout, the fingerprint order) reads it.
using TaskVectors.Layers;

namespace TaskVectors.Models;

/// <summary>
/// A model's registered structure, built by <see cref="ModuleScope.Build"/>. Parameter names are unique; each parameter
/// has one <see cref="CurvatureRole"/>.
/// </summary>
public sealed class ModelRegistration
{
    private readonly Dictionary<Parameter, CurvatureRole> _roles;

    internal ModelRegistration(Parameter[] parameters, IKfacLayer[] kfacLayers, IPerSampleGradients[] perSampleLayers,
        Dictionary<Parameter, CurvatureRole> roles)
    {
        Parameters = parameters;
        KfacLayers = kfacLayers;
        PerSampleLayers = perSampleLayers;
        _roles = roles;
    }

    /// <summary>Every parameter, in declaration order (the checkpoint and fingerprint order).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The layers with Kronecker blocks, in declaration order.</summary>
    public IReadOnlyList<IKfacLayer> KfacLayers { get; }

    /// <summary>The layers whose per-sample parameters get dense blocks, in declaration order.</summary>
    public IReadOnlyList<IPerSampleGradients> PerSampleLayers { get; }

    /// <summary>The role of <paramref name="parameter"/>.</summary>
    /// <exception cref="ArgumentException">The parameter is not registered here.</exception>
    public CurvatureRole RoleOf(Parameter parameter) =>
        _roles.TryGetValue(parameter, out var role) ? role : throw new ArgumentException($"Parameter '{parameter.Name}' is not registered in this model.", nameof(parameter));

    /// <summary>Parameters with no curvature block and no exclusion, in order.</summary>
    public IEnumerable<Parameter> Uncovered => Parameters.Where(p => _roles[p] == CurvatureRole.None);
}
