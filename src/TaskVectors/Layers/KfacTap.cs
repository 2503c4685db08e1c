// KfacTap: what an IKfacLayer hands to KFAC — the input rows of its last Forward and the output-gradient
// rows of its last Backward — held by reference and, while tracking, stamped when received and checked
// when read, so a tensor changed in between fails loudly instead of corrupting A or G.
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

internal sealed class KfacTap
{
    private Tensor? _input, _gradOutput;
    private ulong _inputStamp, _gradStamp;
    private bool _inputStamped, _gradStamped;

    /// <summary>Whether received tensors are stamped (see <see cref="IKfacLayer.TracksCurvature"/>).</summary>
    public bool Tracking { get; set; }

    /// <summary>The rows the last Forward read, or null.</summary>
    public Tensor? Input => _input;

    /// <summary>The gradient the last Backward received since the last Forward, or null.</summary>
    public Tensor? GradOutput => _gradOutput;

    /// <summary>Records the input rows of a Forward; forgets the previous Backward's gradient.</summary>
    public void Forward(Tensor rows)
    {
        _input = rows;
        _gradOutput = null;
        _gradStamped = false;
        _inputStamped = Tracking;
        if (Tracking) _inputStamp = ContentStamp.Of(rows.Span);
    }

    /// <summary>Records the output gradient of a Backward.</summary>
    public void Backward(Tensor gradOutput)
    {
        _gradOutput = gradOutput;
        _gradStamped = Tracking;
        if (Tracking) _gradStamp = ContentStamp.Of(gradOutput.Span);
    }

    public ReadOnlySpan<float> ReadInput(string layer)
    {
        var x = _input ?? throw new InvalidOperationException($"Layer '{layer}' did not run a Forward, so it has no input rows for its KFAC factor A.");
        if (_inputStamped && ContentStamp.Of(x.Span) != _inputStamp)
            throw new InvalidOperationException(
                $"Layer '{layer}': its input was changed after its Forward (in-place arithmetic on a tensor the layer still reads), so its KFAC factor A would be wrong. Write the result to a new tensor instead.");
        return x.Span;
    }

    public ReadOnlySpan<float> ReadGradOutput(string layer, int length)
    {
        var g = _gradOutput;
        if (g is null || g.Length != length)
            throw new InvalidOperationException($"Layer '{layer}' received no output gradient for the last Forward; did the model's Backward skip it?");
        if (_gradStamped && ContentStamp.Of(g.Span) != _gradStamp)
            throw new InvalidOperationException(
                $"Layer '{layer}': the output gradient its Backward received was changed afterwards (in-place arithmetic, e.g. adding a residual gradient into it), so its KFAC factor G would be wrong. Add into a separate tensor instead.");
        return g.Span;
    }
}
