// ActivationCore: the shared state and passes of the element-wise activation layers (Gelu,
// QuickGelu): x (…) -> y (…) of the same shape, with the workspaces reused across calls.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// Forward y = f(x), Backward ∂L/∂x = ∂L/∂y · f'(x), Jvp ẏ = f'(x) · ẋ for one element-wise activation f.
/// Holds the input of the last Forward/Jvp (Backward evaluates f' there) and the output workspaces.
/// </summary>
internal sealed class ActivationCore(ActivationFunction function, string layerText)
{
    private Tensor? _input, _output, _gradInput, _tanOutput;

    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        var y = Tensor.Ensure(ref _output, input.Shape);
        ActivationDriver.Forward(function, input, y);
        return y;
    }

    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException($"{layerText}: Backward called before Forward.");
        if (!gradOutput.HasShape(x.Shape))
            throw new ArgumentException($"{layerText}: output gradient {gradOutput.ShapeText} does not match the output {x.ShapeText} of the last Forward.", nameof(gradOutput));
        var gx = Tensor.Ensure(ref _gradInput, x.Shape);
        ActivationDriver.Derivative(function, x, gradOutput, gx);
        return gx;
    }

    public Dual Jvp(Tensor input, Tensor? tanInput)
    {
        if (tanInput is not null && !tanInput.HasShape(input.Shape))
            throw new ArgumentException($"{layerText}: input tangent {tanInput.ShapeText} does not match input {input.ShapeText}.", nameof(tanInput));
        var y = Forward(input);
        var ty = Tensor.Ensure(ref _tanOutput, input.Shape);
        if (tanInput is null) ty.Clear();
        else ActivationDriver.Derivative(function, input, tanInput, ty);
        return new Dual(y, ty);
    }
}
