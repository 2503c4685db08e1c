// Tests of SgdMomentum: bit-for-bit agreement with PyTorch 1.13, PyTorch-semantics hand cases (first step, momentum, Nesterov, coupled weight decay,
// dampening), several steps against a double-precision reference, chunked steps equal to the scalar twin
// bit-for-bit, export -> import -> continue bit-for-bit, validation and zero allocation.
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;
using TaskVectors.Training;
using TaskVectors.Training.Kernels;

namespace TaskVectors.Tests.Training;

public class SgdMomentumTests
{
    private static OptimizerSlot Pair(float theta0, float theta1) =>
        new("w", new Tensor([theta0, theta1], 2), new Tensor(2));

    private static OptimizerSlot Slot(string name, ulong seed, params int[] shape)
    {
        var rng = new Rng(seed);
        var value = new Tensor(shape);
        rng.FillNormal(value.Span);
        return new OptimizerSlot(name, value, new Tensor(shape));
    }

    private static void SetGrad(OptimizerSlot slot, params float[] g) => g.CopyTo(slot.Grad.Span);

    private static void NextGradients(OptimizerSlot[] slots, Rng rng)
    {
        foreach (var s in slots)
        {
            rng.FillNormal(s.Grad.Span);
            for (int i = 0; i < s.Grad.Length; i++) s.Grad[i] += 0.5f * s.Value[i];
        }
    }

    private static void ShouldBeBitIdentical(Tensor actual, Tensor expected, string what) => ArrayAssert.BitIdentical(actual, expected, what);

    [Fact]
    public void Step_Momentum_FirstStepCopiesGradientThenAccumulates()
    {
        var slot = Pair(1f, 2f);
        var sgd = new SgdMomentum(momentum: 0.9);
        SetGrad(slot, 0.5f, -1f);
        sgd.Step([slot], 0.1);
        slot.Value[0].ShouldBe(0.95f, 3e-7f); // b = g: θ − 0.1·0.5
        slot.Value[1].ShouldBe(2.1f, 3e-7f);
        SetGrad(slot, 1f, 1f);
        sgd.Step([slot], 0.1);
        // b = 0.9·(0.5, −1) + (1, 1) = (1.45, 0.1)
        slot.Value[0].ShouldBe(0.805f, 3e-7f);
        slot.Value[1].ShouldBe(2.09f, 3e-7f);
        sgd.StepCount.ShouldBe(2);
    }

    [Fact]
    public void Step_Nesterov_AddsMomentumTimesBufferToGradient()
    {
        var slot = Pair(1f, 2f);
        var sgd = new SgdMomentum(momentum: 0.9, nesterov: true);
        SetGrad(slot, 0.5f, -1f);
        sgd.Step([slot], 0.1);
        // b = g; d = g + 0.9·b = (0.95, −1.9)
        slot.Value[0].ShouldBe(0.905f, 3e-7f);
        slot.Value[1].ShouldBe(2.19f, 3e-7f);
    }

    [Fact]
    public void Step_WeightDecay_IsCoupledIntoTheGradient()
    {
        var slot = Pair(1f, 2f);
        var sgd = new SgdMomentum(momentum: 0, weightDecay: 0.1);
        SetGrad(slot, 0.5f, -1f);
        sgd.Step([slot], 0.1);
        // d = g + 0.1·θ = (0.6, −0.8)
        slot.Value[0].ShouldBe(0.94f, 3e-7f);
        slot.Value[1].ShouldBe(2.08f, 3e-7f);
    }

    [Fact]
    public void Step_Dampening_AppliesFromTheSecondStepOnly()
    {
        var slot = Pair(1f, 2f);
        var sgd = new SgdMomentum(momentum: 0.9, dampening: 0.5);
        SetGrad(slot, 0.5f, -1f);
        sgd.Step([slot], 0.1);
        SetGrad(slot, 1f, 1f);
        sgd.Step([slot], 0.1);
        // b1 = g1 (undamped, as PyTorch); b2 = 0.9·b1 + 0.5·g2 = (0.95, −0.4)
        slot.Value[0].ShouldBe(0.855f, 3e-7f);
        slot.Value[1].ShouldBe(2.14f, 3e-7f);
    }

    // The AdamWTests PyTorch case (θ0, g_t, lr_t) through torch.optim.SGD(momentum=0.9, weight_decay=0.01,
    // nesterov=True) and SGD(momentum=0.9, dampening=0.3); expected bits from python3-torch 1.13.1 on x86-64.
    private static readonly uint[] TorchNesterov =
    [
        0xBFA68273, 0xBF91896A, 0xBF7A7B6E, 0xBF61BF66, 0xBF392801, 0xBF06A599, 0xBEDBD321, 0xBE8AA457, 0xBE32588F, 0xBC7FAFB7,
        0x3E3A0EA9, 0x3E8E7F65, 0x3EDFAE2E, 0x3F08931F, 0x3F3B1588, 0x3F63ACED, 0x3F7C68F4, 0x3F92802E, 0x3F9EDE31,
    ];

    private static readonly uint[] TorchDampened =
    [
        0xBFA3EEB2, 0xBF91D8BA, 0xBF7D2A92, 0xBF5F55E4, 0xBF38CF03, 0xBF0B9FB2, 0xBEDB960B, 0xBE8E8849, 0xBE25BDE1, 0xBC3A25BE,
        0x3E291AED, 0x3E9036CE, 0x3EDD4491, 0x3F0C76F4, 0x3F39A646, 0x3F602D27, 0x3F7E01D4, 0x3F92445B, 0x3FA12EB0,
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Step_ThreeSteps_MatchesPyTorchBitForBit(bool nesterov)
    {
        var slot = new OptimizerSlot("p", new Tensor(AdamWTests.PyTorchTheta0(), 19), new Tensor(19));
        var sgd = nesterov ? new SgdMomentum(0.9, 0.01, nesterov: true) : new SgdMomentum(0.9, dampening: 0.3);
        for (int t = 0; t < 3; t++)
        {
            AdamWTests.PyTorchGrad(t).CopyTo(slot.Grad.Span);
            sgd.Step([slot], AdamWTests.PyTorchRates[t]);
        }
        AdamWTests.ShouldEqualBits(slot.Value, nesterov ? TorchNesterov : TorchDampened, "θ");
    }

    [Theory]
    [InlineData(0.9, 0.01, true, 0.0)]
    [InlineData(0.9, 0.0, false, 0.1)]
    [InlineData(0.0, 0.05, false, 0.0)]
    public void Step_FourSteps_MatchesDoublePrecisionReference(double momentum, double weightDecay, bool nesterov, double dampening)
    {
        OptimizerSlot[] slots = [Slot("a", 1, 3, 4), Slot("b", 2, 5)];
        var theta = slots.Select(s => s.Value.Span.ToArray().Select(x => (double)x).ToArray()).ToArray();
        var buffer = slots.Select(s => new double[s.Value.Length]).ToArray();
        var sgd = new SgdMomentum(momentum, weightDecay, nesterov, dampening);
        var rng = new Rng(3);
        for (int t = 0; t < 4; t++)
        {
            double lr = 0.05 * (t + 1);
            NextGradients(slots, rng);
            for (int s = 0; s < slots.Length; s++)
            {
                for (int i = 0; i < theta[s].Length; i++)
                {
                    double d = slots[s].Grad[i] + weightDecay * theta[s][i];
                    if (momentum != 0)
                    {
                        buffer[s][i] = t == 0 ? d : momentum * buffer[s][i] + (1 - dampening) * d;
                        d = nesterov ? d + momentum * buffer[s][i] : buffer[s][i];
                    }
                    theta[s][i] -= lr * d;
                }
            }
            sgd.Step(slots, lr);
        }
        for (int s = 0; s < slots.Length; s++)
            for (int i = 0; i < theta[s].Length; i++)
                ((double)slots[s].Value[i]).ShouldBe(theta[s][i], 2e-6 * (1 + Math.Abs(theta[s][i])), $"{slots[s].Name}[{i}]");
    }

    [Fact]
    public void Step_ManyChunks_EqualsScalarTwinOnWholeTensorsBitForBit()
    {
        OptimizerSlot[] slots = [Slot("a", 1, 2 * OptimizerState.ChunkLength + 77), Slot("b", 2, 9), Slot("c", 3, 0)];
        var twin = slots.Select(s => new OptimizerSlot(s.Name, s.Value.Clone(), s.Grad.Clone())).ToArray();
        var buffers = twin.Select(s => new float[s.Value.Length]).ToArray();
        var sgd = new SgdMomentum(momentum: 0.9, weightDecay: 0.01, nesterov: true);
        var rng = new Rng(8);
        for (int t = 0; t < 3; t++)
        {
            NextGradients(slots, rng);
            for (int s = 0; s < slots.Length; s++) slots[s].Grad.Span.CopyTo(twin[s].Grad.Span);
            sgd.Step(slots, 0.01);
            for (int s = 0; s < twin.Length; s++)
                OptimizerKernels.SgdUpdateReference(twin[s].Value.Span, twin[s].Grad.Span, buffers[s], 0.01f, 0.9f, 1f, true, t == 0, -0.01f);
        }
        for (int s = 0; s < slots.Length; s++) ShouldBeBitIdentical(slots[s].Value, twin[s].Value, slots[s].Name);
    }

    [Fact]
    public void ExportImport_Resume_ContinuesBitIdentically()
    {
        OptimizerSlot[] Model() => [Slot("layer.weight", 5, 6, 7), Slot("layer.bias", 6, 7)];
        var full = Model();
        var fullSgd = new SgdMomentum(0.9, 1e-4, nesterov: true);
        var rng = new Rng(2);
        for (int t = 0; t < 6; t++)
        {
            NextGradients(full, rng);
            fullSgd.Step(full, 0.02);
        }

        var part = Model();
        var partSgd = new SgdMomentum(0.9, 1e-4, nesterov: true);
        rng = new Rng(2);
        for (int t = 0; t < 2; t++)
        {
            NextGradients(part, rng);
            partSgd.Step(part, 0.02);
        }
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string>();
        partSgd.ExportState(tensors, scalars);
        tensors.Keys.Order(StringComparer.Ordinal).ShouldBe(["sgd.momentum_buffer.layer.bias", "sgd.momentum_buffer.layer.weight"]);
        scalars["sgd.step"].ShouldBe("2");
        scalars["sgd.nesterov"].ShouldBe("true");

        var resumedSgd = new SgdMomentum(0.9, 1e-4, nesterov: true);
        resumedSgd.ImportState(tensors, scalars);
        for (int t = 2; t < 6; t++)
        {
            NextGradients(part, rng);
            resumedSgd.Step(part, 0.02);
        }
        for (int s = 0; s < full.Length; s++) ShouldBeBitIdentical(part[s].Value, full[s].Value, full[s].Name);
    }

    [Fact]
    public void ExportState_NoMomentum_KeepsNoTensors()
    {
        var slot = Pair(1f, 2f);
        var sgd = new SgdMomentum(momentum: 0);
        sgd.Step([slot], 0.1);
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string>();
        sgd.ExportState(tensors, scalars);
        tensors.ShouldBeEmpty();
        scalars["sgd.step"].ShouldBe("1");
        tensors["sgd.momentum_buffer.w"] = new Tensor(2);
        Should.Throw<ArgumentException>(() => new SgdMomentum(momentum: 0).ImportState(tensors, scalars)).Message.ShouldContain("keeps no tensors");
    }

    [Fact]
    public void ImportState_OtherNesterovSetting_Throws()
    {
        var sgd = new SgdMomentum(0.9, nesterov: true);
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string>();
        sgd.ExportState(tensors, scalars);
        Should.Throw<ArgumentException>(() => new SgdMomentum(0.9).ImportState(tensors, scalars)).Message.ShouldContain("sgd.nesterov = true");
    }

    [Fact]
    public void ImportState_MissingBuffer_ThrowsNamingSlot()
    {
        var slot = Pair(1f, 2f);
        var sgd = new SgdMomentum();
        sgd.Step([slot], 0.1);
        var scalars = new Dictionary<string, string>();
        sgd.ExportState(new Dictionary<string, Tensor>(), scalars);
        var resumed = new SgdMomentum();
        resumed.Attach([slot]);
        Should.Throw<ArgumentException>(() => resumed.ImportState(new Dictionary<string, Tensor>(), scalars))
            .Message.ShouldContain("lacks 'sgd.momentum_buffer.w' for slot 'w'");
    }

    [Fact]
    public void Constructor_InvalidSettings_Throw()
    {
        Should.Throw<ArgumentException>(() => new SgdMomentum(momentum: 0, nesterov: true));
        Should.Throw<ArgumentException>(() => new SgdMomentum(momentum: 0.9, nesterov: true, dampening: 0.1));
        Should.Throw<ArgumentOutOfRangeException>(() => new SgdMomentum(momentum: -0.1));
        Should.Throw<ArgumentOutOfRangeException>(() => new SgdMomentum(weightDecay: double.NaN));
        Should.Throw<ArgumentOutOfRangeException>(() => new SgdMomentum(dampening: double.PositiveInfinity));
        Should.Throw<ArgumentOutOfRangeException>(() => new SgdMomentum().Step([Pair(1f, 2f)], -1));
    }

    [Fact]
    public void Step_SteadyState_AllocatesNothing()
    {
        OptimizerSlot[] slots = [Slot("big", 1, 2 * OptimizerState.ChunkLength + 3), Slot("small", 2, 5)];
        var sgd = new SgdMomentum(0.9, 1e-4);
        SteadyStateAllocations.AssertNone(() => sgd.Step(slots, 1e-3));
    }
}
