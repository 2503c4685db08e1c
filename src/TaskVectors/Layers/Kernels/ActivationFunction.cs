// ActivationFunction: which element-wise activation an ActivationDriver call runs (x (n) -> y (n)).
namespace TaskVectors.Layers.Kernels;

/// <summary>The element-wise activations of <see cref="ActivationKernels"/>.</summary>
internal enum ActivationFunction
{
    /// <summary>Exact GELU, x·Φ(x).</summary>
    GeluErf,

    /// <summary>GELU, tanh approximation.</summary>
    GeluTanh,

    /// <summary>QuickGELU, x·σ(1.702x).</summary>
    QuickGelu,
}
