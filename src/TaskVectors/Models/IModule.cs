// IModule: a model or block whose parameters and layers were declared once, at construction, through a
// ModuleScope; its parameter list, KFAC layers and per-sample-gradient layers all come from that.
using TaskVectors.Layers;

namespace TaskVectors.Models;

/// <summary>An object whose <see cref="IParameterized.Parameters"/> and curvature roles come from one <see cref="ModelRegistration"/>.</summary>
public interface IModule : IParameterized
{
    /// <summary>What the constructor declared: parameters in order, KFAC layers, per-sample-gradient layers and exclusions.</summary>
    ModelRegistration Registration { get; }
}
