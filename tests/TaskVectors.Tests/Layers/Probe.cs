// Probe: a differentiable computation under test, seen through three delegates (forward, backward,
// JVP) and the tensors a check may perturb (the input, if it is real-valued, and the parameters).
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

/// <summary>What <see cref="DerivativeChecks"/> needs to check any layer or model.</summary>
public sealed class Probe
{
    /// <summary>Runs the forward pass on the current input and parameter values.</summary>
    public required Func<Tensor> Forward { get; init; }

    /// <summary>Runs Backward for ∂L/∂y after a Forward; returns ∂L/∂x (null when the input is not real-valued).</summary>
    public required Func<Tensor, Tensor?> Backward { get; init; }

    /// <summary>Runs Jvp with the given input tangent (parameter tangents are set on the parameters).</summary>
    public required Func<Tensor?, Dual> Jvp { get; init; }

    /// <summary>The real-valued input the checks perturb, or null (e.g. token ids).</summary>
    public Tensor? Input { get; init; }

    /// <summary>Parameters the checks perturb and whose gradients they compare.</summary>
    public required IReadOnlyList<Parameter> Parameters { get; init; }

    /// <summary>A probe over an <see cref="ILayer"/> applied to <paramref name="input"/>.</summary>
    public static Probe ForLayer(ILayer layer, Tensor input) => new()
    {
        Forward = () => layer.Forward(input),
        Backward = layer.Backward,
        Jvp = tan => layer.Jvp(input, tan),
        Input = input,
        Parameters = layer.Parameters,
    };
}
