// Parameter.ZeroGrad defers its clear: Grad reads zeros after it whatever the tensor held, a Linear's or patch
// embedding's weight gradient right after it is stored (NaN left in the tensor never leaks) and equals the sum into a
// freshly zeroed tensor, a second Backward adds to the first; a tensor held across ZeroGrad is cleared by the next
// read of Grad.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public sealed class ZeroGradTests
{
    [Fact]
    public void ZeroGrad_ThenRead_GivesZerosWhateverTheTensorHeld()
    {
        var p = new Parameter("w", new Tensor(3, 4));
        p.Grad.Fill(float.NaN);
        p.ZeroGrad();
        p.Grad.Span.ToArray().ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void LinearBackward_AfterZeroGrad_OverwritesStaleValues_ThenAccumulates()
    {
        var layer = new Linear("fc", 7, 5);
        new Rng(1).FillNormal(layer.Weight.Value.Span);
        new Rng(2).FillNormal(layer.Bias!.Value.Span);
        var x = TestTensors.Normal(3, 4, 6, 7);
        var gy = TestTensors.Normal(4, 4, 6, 5);

        // Reference: the product added onto an explicitly zeroed accumulator.
        layer.Weight.Grad.Clear();
        layer.Bias.Grad.Clear();
        layer.Forward(x);
        layer.Backward(gy);
        var expectedWeight = layer.Weight.Grad.Span.ToArray();
        var expectedBias = layer.Bias.Grad.Span.ToArray();

        layer.Weight.Grad.Fill(float.NaN);
        layer.Bias.Grad.Fill(float.NaN);
        layer.Weight.ZeroGrad();
        layer.Bias.ZeroGrad();
        layer.Forward(x);
        layer.Backward(gy);
        ArrayAssert.Equal(layer.Weight.Grad.Span.ToArray(), expectedWeight, "∂L/∂W right after ZeroGrad");
        ArrayAssert.Equal(layer.Bias.Grad.Span.ToArray(), expectedBias, "∂L/∂b right after ZeroGrad");

        layer.Forward(x);
        layer.Backward(gy);
        ArrayAssert.Equal(layer.Weight.Grad.Span.ToArray(), expectedWeight.Select(v => v + v).ToArray(), "a second Backward adds");
    }

    [Fact]
    public void PatchEmbeddingBackward_AfterZeroGrad_OverwritesStaleValues()
    {
        var layer = new PatchEmbedding("patch", channels: 1, imageSize: 8, patch: 4, dim: 6);
        new Rng(5).FillNormal(layer.Weight.Value.Span);
        var images = TestTensors.Normal(6, 2, 1, 8, 8);
        var output = layer.Forward(images);
        var gy = TestTensors.Normal(7, output.Shape.ToArray());
        layer.Weight.Grad.Clear();
        layer.Backward(gy);
        var expected = layer.Weight.Grad.Span.ToArray();

        layer.Weight.Grad.Fill(float.NaN);
        layer.Weight.ZeroGrad();
        layer.Forward(images);
        layer.Backward(gy);
        ArrayAssert.Equal(layer.Weight.Grad.Span.ToArray(), expected);
    }

    [Fact]
    public void Grad_HeldAcrossZeroGrad_OfAParameterBackwardSkips_ReadsZerosThroughTheProperty()
    {
        // A layer the loss does not reach this step: its tensor keeps stale values until Grad is read.
        var p = new Parameter("unused", new Tensor(4));
        p.Grad.Fill(3f);
        var held = p.Grad;
        p.ZeroGrad();
        p.Grad.ShouldBeSameAs(held);
        held.Span.ToArray().ShouldAllBe(v => v == 0f, "reading Grad performed it");
    }
}
