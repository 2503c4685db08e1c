// Tests of GradientClipping: the global norm over slots (exact small cases, large chunked cases against a
// naive double sum and against the fixed chunk order bit-for-bit), clipping below/at/above the threshold
// with PyTorch's coefficient maxNorm/(norm + 1e-6), non-finite gradients, argument checks, zero allocation.
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;
using TaskVectors.Training;
using TaskVectors.Training.Kernels;

namespace TaskVectors.Tests.Training;

public class GradientClippingTests
{
    private static OptimizerSlot WithGrad(string name, params float[] grad) =>
        new(name, new Tensor(grad.Length), new Tensor(grad, grad.Length));

    private static OptimizerSlot Random(string name, ulong seed, int length)
    {
        var grad = new Tensor(length);
        new Rng(seed).FillNormal(grad.Span);
        return new OptimizerSlot(name, new Tensor(length), grad);
    }

    // ‖g‖ = 5 over two slots: (3) and (0, 4).
    private static OptimizerSlot[] ThreeFour() => [WithGrad("a", 3f), WithGrad("b", 0f, 4f)];

    [Fact]
    public void GlobalNorm_SmallSlots_IsExact()
    {
        GradientClipping.GlobalNorm(ThreeFour()).ShouldBe(5);
        GradientClipping.GlobalNorm([]).ShouldBe(0);
    }

    [Fact]
    public void ClipByGlobalNorm_BelowThreshold_LeavesGradientsAndReturnsNorm()
    {
        var slots = ThreeFour();
        GradientClipping.ClipByGlobalNorm(slots, 10).ShouldBe(5);
        slots[0].Grad[0].ShouldBe(3f);
        slots[1].Grad.Span.ToArray().ShouldBe([0f, 4f]);
        GradientClipping.ClipByGlobalNorm(slots, double.PositiveInfinity).ShouldBe(5);
        slots[0].Grad[0].ShouldBe(3f);
    }

    [Fact]
    public void ClipByGlobalNorm_AboveThreshold_ScalesToMaxNorm()
    {
        var slots = ThreeFour();
        GradientClipping.ClipByGlobalNorm(slots, 1).ShouldBe(5);
        float c = (float)(1 / (5 + 1e-6));
        slots[0].Grad[0].ShouldBe(3f * c);
        slots[1].Grad[1].ShouldBe(4f * c);
        slots[1].Grad[0].ShouldBe(0f);
        GradientClipping.GlobalNorm(slots).ShouldBe(1, 1e-6);
        GradientClipping.GlobalNorm(slots).ShouldBeLessThan(1);
    }

    [Fact]
    public void ClipByGlobalNorm_NormEqualsMax_ScalesByPyTorchCoefficient()
    {
        // clip_grad_norm_ multiplies by min(1, max/(norm + 1e-6)), which is below 1 here.
        var slots = ThreeFour();
        GradientClipping.ClipByGlobalNorm(slots, 5).ShouldBe(5);
        slots[0].Grad[0].ShouldBe(3f * (float)(5 / (5 + 1e-6)));
        slots[0].Grad[0].ShouldBeLessThan(3f);
    }

    [Theory]
    [InlineData(float.NaN, double.NaN)]
    [InlineData(float.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(float.NegativeInfinity, double.PositiveInfinity)]
    public void ClipByGlobalNorm_NonFiniteGradient_ReturnsNormAndLeavesGradients(float bad, double expected)
    {
        OptimizerSlot[] slots = [WithGrad("a", 3f, bad), WithGrad("b", 4f)];
        GradientClipping.ClipByGlobalNorm(slots, 1).ShouldBe(expected);
        slots[0].Grad[0].ShouldBe(3f);
        slots[1].Grad[0].ShouldBe(4f);
    }

    [Fact]
    public void GlobalNorm_LargeSlots_MatchesNaiveSumAndFixedChunkOrderBitForBit()
    {
        OptimizerSlot[] slots =
        [
            Random("a", 1, 2 * OptimizerState.ChunkLength + 999), Random("b", 2, 5), Random("c", 3, 0),
            Random("d", 4, OptimizerState.ChunkLength), Random("e", 5, 100_001),
        ];
        double naive = 0, chunked = 0;
        foreach (var s in slots)
        {
            naive += OptimizerKernels.SumOfSquaresReference(s.Grad.Span);
            for (int start = 0; start < s.Grad.Length; start += OptimizerState.ChunkLength)
                chunked += OptimizerKernels.SumOfSquares(s.Grad.Span.Slice(start, Math.Min(OptimizerState.ChunkLength, s.Grad.Length - start)));
        }
        double norm = GradientClipping.GlobalNorm(slots);
        norm.ShouldBe(Math.Sqrt(naive), 1e-12 * Math.Sqrt(naive));
        BitConverter.DoubleToInt64Bits(norm).ShouldBe(BitConverter.DoubleToInt64Bits(Math.Sqrt(chunked)));
        BitConverter.DoubleToInt64Bits(GradientClipping.GlobalNorm(slots)).ShouldBe(BitConverter.DoubleToInt64Bits(norm));
    }

    [Fact]
    public void ClipByGlobalNorm_LargeSlots_ScalesEveryChunk()
    {
        OptimizerSlot[] slots = [Random("a", 7, 3 * OptimizerState.ChunkLength + 1), Random("b", 8, 33)];
        var before = slots.Select(s => s.Grad.Clone()).ToArray();
        double norm = GradientClipping.ClipByGlobalNorm(slots, 1);
        float c = (float)(1 / (norm + 1e-6));
        for (int s = 0; s < slots.Length; s++)
            for (int i = 0; i < slots[s].Grad.Length; i++)
                slots[s].Grad[i].ShouldBe(before[s][i] * c);
        GradientClipping.GlobalNorm(slots).ShouldBe(1, 1e-5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void ClipByGlobalNorm_NonPositiveMaxNorm_Throws(double maxNorm) =>
        Should.Throw<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(ThreeFour(), maxNorm));

    [Fact]
    public void ClipByGlobalNorm_SteadyState_AllocatesNothing()
    {
        OptimizerSlot[] slots = [Random("a", 1, 4 * OptimizerState.ChunkLength + 17), Random("b", 2, 100)];
        SteadyStateAllocations.AssertNone(() =>
        {
            GradientClipping.ClipByGlobalNorm(slots, 1e3);
            GradientClipping.ClipByGlobalNorm(slots, 1e-3);
        });
    }
}
