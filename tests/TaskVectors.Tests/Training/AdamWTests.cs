// Tests of AdamW: a hand-computed first step, three steps against PyTorch 1.13 bit-for-bit, five steps
// against a naive double-precision reference,
// chunked parallel steps equal to the scalar kernel twin bit-for-bit, export -> import -> continue equal to an
// uninterrupted run bit-for-bit, ImportState errors, slot-list checks, options validation and zero allocation.
using TaskVectors.Layers;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;
using TaskVectors.Threading;
using TaskVectors.Training;
using TaskVectors.Training.Kernels;

namespace TaskVectors.Tests.Training;

public class AdamWTests
{
    private static OptimizerSlot Slot(string name, ulong seed, params int[] shape)
    {
        var rng = new Rng(seed);
        var value = new Tensor(shape);
        var grad = new Tensor(shape);
        rng.FillNormal(value.Span);
        rng.FillNormal(grad.Span);
        return new OptimizerSlot(name, value, grad);
    }

    // Three slots of different shapes: a matrix, a bias, a rank-3 tensor.
    private static OptimizerSlot[] SmallModel(ulong seed) =>
    [
        Slot("encoder.fc1.weight", seed, 4, 5),
        Slot("encoder.fc1.bias", seed + 1, 5),
        Slot("encoder.embed", seed + 2, 2, 3, 2),
    ];

    private static OptimizerSlot[] Copy(OptimizerSlot[] slots) =>
        slots.Select(s => new OptimizerSlot(s.Name, s.Value.Clone(), s.Grad.Clone())).ToArray();

    // A new gradient per step that depends on θ (as a real loss would) and on a seeded stream.
    private static void NextGradients(OptimizerSlot[] slots, Rng rng)
    {
        foreach (var s in slots)
        {
            rng.FillNormal(s.Grad.Span);
            for (int i = 0; i < s.Grad.Length; i++) s.Grad[i] += 0.5f * s.Value[i];
        }
    }

    private static void ShouldBeBitIdentical(Tensor actual, Tensor expected, string what)
    {
        ArrayAssert.BitIdentical(actual, expected, what);
    }

    [Fact]
    public void Step_FirstStep_MatchesHandComputedValues()
    {
        // After one step m̂ = g and v̂ = g², so θ1 = θ0·(1 − lr·λ) − lr·g/(|g| + ε).
        var value = new Tensor([1f, -2f, 0.5f, 3f], 4);
        var grad = new Tensor([0.1f, -0.2f, 0.3f, 0f], 4);
        var adam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        adam.Step([new OptimizerSlot("w", value, grad)], 0.1);
        // 0.99 − 0.1·0.1/(0.1 + 1e-8); −1.98 + 0.1·0.2/(0.2 + 1e-8); 0.495 − 0.1·0.3/(0.3 + 1e-8); 2.97 (g = 0: no update).
        value[0].ShouldBe(0.8900000100f, 3e-7f);
        value[1].ShouldBe(-1.8800000050f, 3e-7f);
        value[2].ShouldBe(0.3950000033f, 3e-7f);
        value[3].ShouldBe(2.97f, 3e-7f);
        adam.StepCount.ShouldBe(1);
    }

    // θ0[i] = (i − 9)/7 and g_t[i] = ((37i + 11t) mod 23 − 11)/13 for 19 elements (two vectors and a tail; one zero
    // gradient per step); lr 1e-3, 3e-3, 2e-2. Expected bits from python3-torch 1.13.1 on x86-64:
    //   p = torch.nn.Parameter(θ0); opt = torch.optim.AdamW([p], lr=1e-3, weight_decay=0.1)
    //   for each step t: set param_groups lr; p.grad = g_t; opt.step()
    internal static float[] PyTorchTheta0() => Enumerable.Range(0, 19).Select(i => (float)((i - 9) / 7.0)).ToArray();

    internal static float[] PyTorchGrad(int t) => Enumerable.Range(0, 19).Select(i => (float)(((i * 37 + t * 11) % 23 - 11) / 13.0)).ToArray();

    internal static readonly double[] PyTorchRates = [1e-3, 3e-3, 2e-2];

    private static readonly uint[] TorchTheta =
    [
        0xBFA4030C, 0xBF9140F3, 0xBF7CCE12, 0xBF5E355B, 0xBF38A7FE, 0xBF0D3A64, 0xBEDA2F8C, 0xBE8E8DA0, 0xBE2176BC, 0xBC4D4144,
        0x3E235F69, 0x3E908C54, 0x3EDC4526, 0x3F0D9B41, 0x3F3960AC, 0x3F5ECED0, 0x3F7DB056, 0x3F91C084, 0x3FA1D755,
    ];

    private static readonly uint[] TorchExpAvg =
    [
        0x3C83B3C4, 0xBCE74437, 0xBD67E589, 0x3D9BA5E4, 0x3D43085A, 0xBE0F5C29, 0xBBF1FAA4, 0xBD1282C2, 0x3DC65747, 0x3D8C3590,
        0xBDF406EF, 0x3C5C8DC8, 0xBC747FEA, 0x3DF108AB, 0xBD8F33D4, 0xBDC9558C, 0x3D0C8639, 0x3BC21661, 0x3E0DDD07,
    ];

    private static readonly uint[] TorchExpAvgSq =
    [
        0x3ABB8056, 0x3A11A784, 0x3A2A79D4, 0x3A47DFF5, 0x3A22B65B, 0x3AAC0589, 0x3A09E73E, 0x3A1653F8, 0x3A6E9C97, 0x3A3D0D68,
        0x3A8F5A3F, 0x3A0B7327, 0x3A0B7A4C, 0x3A8F52B4, 0x3A3D0C9D, 0x3A6EAA15, 0x3A164B3D, 0x3A09ECCD, 0x3AABFD33,
    ];

    internal static void ShouldEqualBits(Tensor actual, uint[] expected, string what)
    {
        actual.Length.ShouldBe(expected.Length);
        for (int i = 0; i < expected.Length; i++)
            BitConverter.SingleToUInt32Bits(actual[i]).ShouldBe(expected[i], $"{what}[{i}] = {actual[i]:R}");
    }

    [Fact]
    public void Step_ThreeSteps_MatchesPyTorchBitForBit()
    {
        var slot = new OptimizerSlot("p", new Tensor(PyTorchTheta0(), 19), new Tensor(19));
        var adam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        for (int t = 0; t < 3; t++)
        {
            PyTorchGrad(t).CopyTo(slot.Grad.Span);
            adam.Step([slot], PyTorchRates[t]);
        }
        var tensors = new Dictionary<string, Tensor>();
        adam.ExportState(tensors, new Dictionary<string, string>());
        ShouldEqualBits(slot.Value, TorchTheta, "θ");
        ShouldEqualBits(tensors["adamw.m.p"], TorchExpAvg, "exp_avg");
        ShouldEqualBits(tensors["adamw.v.p"], TorchExpAvgSq, "exp_avg_sq");
    }

    [Fact]
    public void Step_DefaultOptions_ArePyTorchDefaults()
    {
        var o = new AdamW().Options;
        o.Beta1.ShouldBe(0.9);
        o.Beta2.ShouldBe(0.999);
        o.Epsilon.ShouldBe(1e-8);
        o.WeightDecay.ShouldBe(0.01);
    }

    [Fact]
    public void Step_FiveSteps_MatchesDoublePrecisionReference()
    {
        var options = new AdamWOptions { WeightDecay = 0.1, Beta1 = 0.8, Beta2 = 0.95 };
        var slots = SmallModel(11);
        var theta = slots.Select(s => s.Value.Span.ToArray().Select(x => (double)x).ToArray()).ToArray();
        var m = slots.Select(s => new double[s.Value.Length]).ToArray();
        var v = slots.Select(s => new double[s.Value.Length]).ToArray();
        var adam = new AdamW(options);
        var rng = new Rng(5);
        double[] rates = [1e-2, 2e-2, 5e-3, 1e-2, 3e-2];
        for (int t = 1; t <= rates.Length; t++)
        {
            NextGradients(slots, rng);
            for (int s = 0; s < slots.Length; s++)
            {
                for (int i = 0; i < theta[s].Length; i++)
                {
                    double g = slots[s].Grad[i], lr = rates[t - 1];
                    theta[s][i] -= lr * options.WeightDecay * theta[s][i];
                    m[s][i] = options.Beta1 * m[s][i] + (1 - options.Beta1) * g;
                    v[s][i] = options.Beta2 * v[s][i] + (1 - options.Beta2) * g * g;
                    double mHat = m[s][i] / (1 - Math.Pow(options.Beta1, t));
                    double vHat = v[s][i] / (1 - Math.Pow(options.Beta2, t));
                    theta[s][i] -= lr * mHat / (Math.Sqrt(vHat) + options.Epsilon);
                }
            }
            adam.Step(slots, rates[t - 1]);
        }
        var tensors = new Dictionary<string, Tensor>();
        adam.ExportState(tensors, new Dictionary<string, string>());
        for (int s = 0; s < slots.Length; s++)
        {
            for (int i = 0; i < theta[s].Length; i++)
            {
                ((double)slots[s].Value[i]).ShouldBe(theta[s][i], 1e-6 * (1 + Math.Abs(theta[s][i])), $"θ {slots[s].Name}[{i}]");
                ((double)tensors["adamw.m." + slots[s].Name][i]).ShouldBe(m[s][i], 1e-6 * (1 + Math.Abs(m[s][i])));
                ((double)tensors["adamw.v." + slots[s].Name][i]).ShouldBe(v[s][i], 1e-6 * v[s][i] + 1e-12);
            }
        }
    }

    [Fact]
    public void Step_ManyChunks_EqualsScalarTwinOnWholeTensorsBitForBit()
    {
        // Slots larger than a chunk, of ragged lengths and empty: the chunked, parallel, SIMD step must equal the
        // scalar kernel twin run serially over whole tensors, so no thread count or split can change a bit.
        var options = new AdamWOptions { WeightDecay = 0.1 };
        OptimizerSlot[] slots =
        [
            Slot("a", 1, 2 * OptimizerState.ChunkLength + 123), Slot("b", 2, 1), Slot("c", 3, 0),
            Slot("d", 4, 7, 13), Slot("e", 5, OptimizerState.ChunkLength), Slot("f", 6, OptimizerState.ChunkLength + 1),
        ];
        var twin = Copy(slots);
        var m = twin.Select(s => new float[s.Value.Length]).ToArray();
        var v = twin.Select(s => new float[s.Value.Length]).ToArray();
        var adam = new AdamW(options);
        var rng = new Rng(9);
        for (int t = 1; t <= 3; t++)
        {
            double lr = 3e-4 * t;
            NextGradients(slots, rng);
            for (int s = 0; s < slots.Length; s++) slots[s].Grad.Span.CopyTo(twin[s].Grad.Span);
            adam.Step(slots, lr);
            double c1 = 1 - Math.Pow(0.9, t), c2 = 1 - Math.Pow(0.999, t);
            for (int s = 0; s < twin.Length; s++)
                OptimizerKernels.AdamWUpdateReference(twin[s].Value.Span, twin[s].Grad.Span, m[s], v[s],
                    (float)(1 - lr * 0.1), 0.9f, (float)(1 - 0.9), 0.999f, (float)(1 - 0.999), (float)Math.Sqrt(c2), 1e-8f, (float)(-lr / c1));
        }
        for (int s = 0; s < slots.Length; s++) ShouldBeBitIdentical(slots[s].Value, twin[s].Value, slots[s].Name);
    }

    // Runs an action as iteration 0 of a two-iteration parallel loop: loops it starts run inline, on one thread.
    private readonly struct SerialBody(Action action) : ILoopBody
    {
        public void Invoke(int index)
        {
            if (index == 0) action();
        }
    }

    [Fact]
    public void Step_OnOneThread_BitIdenticalToPooledThreads()
    {
        OptimizerSlot[] pooled = [Slot("a", 1, 5 * OptimizerState.ChunkLength + 3), Slot("b", 2, 100)];
        var serial = Copy(pooled);
        var pooledAdam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        var serialAdam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        for (int t = 0; t < 3; t++)
        {
            pooledAdam.Step(pooled, 1e-3);
            ParallelLoop.For(2, new SerialBody(() => serialAdam.Step(serial, 1e-3)));
        }
        for (int s = 0; s < pooled.Length; s++) ShouldBeBitIdentical(serial[s].Value, pooled[s].Value, pooled[s].Name);
    }

    [Fact]
    public void Step_ZeroLearningRate_LeavesValuesButAdvancesMoments()
    {
        var slots = SmallModel(3);
        var before = slots.Select(s => s.Value.Clone()).ToArray();
        var adam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        adam.Step(slots, 0);
        for (int s = 0; s < slots.Length; s++) ShouldBeBitIdentical(slots[s].Value, before[s], slots[s].Name);
        var tensors = new Dictionary<string, Tensor>();
        adam.ExportState(tensors, new Dictionary<string, string>());
        tensors["adamw.m.encoder.fc1.bias"][0].ShouldBe(0.1f * slots[1].Grad[0], 1e-7f);
        adam.StepCount.ShouldBe(1);
    }

    [Fact]
    public void ExportImport_ResumeFromFreshOptimizer_ContinuesBitIdentically()
    {
        var options = new AdamWOptions { WeightDecay = 0.1 };
        var schedule = new CosineSchedule(1e-2, 2, 8);

        // Uninterrupted: 8 steps.
        var full = SmallModel(21);
        var fullAdam = new AdamW(options);
        var rng = new Rng(77);
        for (int t = 0; t < 8; t++)
        {
            NextGradients(full, rng);
            fullAdam.Step(full, schedule.At(t));
        }

        // Interrupted after 3 steps: a checkpoint of θ and the optimizer, then a new process resumes.
        var first = SmallModel(21);
        var firstAdam = new AdamW(options);
        rng = new Rng(77);
        for (int t = 0; t < 3; t++)
        {
            NextGradients(first, rng);
            firstAdam.Step(first, schedule.At(t));
        }
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string>();
        firstAdam.ExportState(tensors, scalars);
        scalars["adamw.step"].ShouldBe("3");
        tensors.Keys.Order(StringComparer.Ordinal).ShouldBe(
        [
            "adamw.m.encoder.embed", "adamw.m.encoder.fc1.bias", "adamw.m.encoder.fc1.weight",
            "adamw.v.encoder.embed", "adamw.v.encoder.fc1.bias", "adamw.v.encoder.fc1.weight",
        ]);
        var resumed = Copy(first);
        foreach (var s in first) s.Value.Fill(float.NaN); // the old run is gone
        var resumedAdam = new AdamW(options);
        resumedAdam.ImportState(tensors, scalars);
        foreach (var t in tensors.Values) t.Fill(float.NaN); // the import copied what it needs
        resumedAdam.StepCount.ShouldBe(3);
        for (int t = 3; t < 8; t++)
        {
            NextGradients(resumed, rng);
            resumedAdam.Step(resumed, schedule.At(t));
        }

        for (int s = 0; s < full.Length; s++) ShouldBeBitIdentical(resumed[s].Value, full[s].Value, full[s].Name);
        var a = new Dictionary<string, Tensor>();
        var b = new Dictionary<string, Tensor>();
        fullAdam.ExportState(a, new Dictionary<string, string>());
        resumedAdam.ExportState(b, new Dictionary<string, string>());
        foreach (var key in a.Keys) ShouldBeBitIdentical(b[key], a[key], key);
    }

    [Fact]
    public void ExportImport_IntoAttachedOptimizer_ContinuesBitIdentically()
    {
        var options = new AdamWOptions { WeightDecay = 0.1 };
        var full = SmallModel(4);
        var fullAdam = new AdamW(options);
        var rng = new Rng(1);
        for (int t = 0; t < 4; t++)
        {
            NextGradients(full, rng);
            fullAdam.Step(full, 1e-2);
        }

        var part = SmallModel(4);
        var partAdam = new AdamW(options);
        rng = new Rng(1);
        for (int t = 0; t < 2; t++)
        {
            NextGradients(part, rng);
            partAdam.Step(part, 1e-2);
        }
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string>();
        partAdam.ExportState(tensors, scalars);

        var resumed = Copy(part);
        var other = new AdamW(options);
        other.Attach(resumed);
        other.Step(resumed, 0.5); // state that the import must overwrite entirely
        foreach (var (s, p) in resumed.Zip(part)) s.Value.CopyFrom(p.Value);
        other.ImportState(tensors, scalars);
        other.StepCount.ShouldBe(2);
        for (int t = 2; t < 4; t++)
        {
            NextGradients(resumed, rng);
            other.Step(resumed, 1e-2);
        }
        for (int s = 0; s < full.Length; s++) ShouldBeBitIdentical(resumed[s].Value, full[s].Value, full[s].Name);
    }

    [Fact]
    public void ExportState_BeforeFirstStep_WritesStepZeroAndHyperparametersOnly()
    {
        var adam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string> { ["trainer.epoch"] = "2" };
        adam.ExportState(tensors, scalars);
        tensors.ShouldBeEmpty();
        scalars["adamw.step"].ShouldBe("0");
        scalars["adamw.weight_decay"].ShouldBe("0.1");
        scalars["adamw.beta2"].ShouldBe("0.999");
        scalars["trainer.epoch"].ShouldBe("2");

        // Importing step 0 into a stepped optimizer resets it.
        var slots = SmallModel(2);
        var stepped = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        stepped.Step(slots, 1e-2);
        stepped.ImportState(tensors, scalars);
        stepped.StepCount.ShouldBe(0);
        var fresh = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        var copy = Copy(slots);
        stepped.Step(slots, 1e-2);
        fresh.Step(copy, 1e-2);
        for (int s = 0; s < slots.Length; s++) ShouldBeBitIdentical(slots[s].Value, copy[s].Value, slots[s].Name);
    }

    private static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Scalars) SteppedState(OptimizerSlot[] slots)
    {
        var adam = new AdamW();
        adam.Step(slots, 1e-3);
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, string>();
        adam.ExportState(tensors, scalars);
        return (tensors, scalars);
    }

    [Fact]
    public void ImportState_MissingSecondMoment_ThrowsNamingSlot()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors.Remove("adamw.v.encoder.fc1.bias");
        var e = Should.Throw<ArgumentException>(() => new AdamW().ImportState(tensors, scalars));
        e.Message.ShouldContain("'adamw.v.encoder.fc1.bias'");
        e.Message.ShouldContain("slot 'encoder.fc1.bias'");
    }

    [Fact]
    public void ImportState_MissingSlotIntoAttachedOptimizer_ThrowsNamingSlotAndChangesNothing()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors.Remove("adamw.m.encoder.embed");
        tensors.Remove("adamw.v.encoder.embed");
        var adam = new AdamW();
        adam.Attach(slots);
        var e = Should.Throw<ArgumentException>(() => adam.ImportState(tensors, scalars));
        e.Message.ShouldContain("lacks 'adamw.m.encoder.embed' for slot 'encoder.embed'");
        adam.StepCount.ShouldBe(0);
    }

    [Fact]
    public void ImportState_WrongShape_ThrowsNamingSlotAndShapes()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors["adamw.m.encoder.fc1.weight"] = new Tensor(5, 4);
        tensors["adamw.v.encoder.fc1.weight"] = new Tensor(5, 4);
        var adam = new AdamW();
        adam.Attach(slots);
        var e = Should.Throw<ArgumentException>(() => adam.ImportState(tensors, scalars));
        e.Message.ShouldContain("'adamw.m.encoder.fc1.weight' has shape [5, 4] but slot 'encoder.fc1.weight' has shape [4, 5]");
    }

    [Fact]
    public void ImportState_UnknownSlot_Throws()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors["adamw.m.decoder.w"] = new Tensor(2);
        tensors["adamw.v.decoder.w"] = new Tensor(2);
        var adam = new AdamW();
        adam.Attach(slots);
        Should.Throw<ArgumentException>(() => adam.ImportState(tensors, scalars)).Message.ShouldContain("no slot is named 'decoder.w'");
    }

    [Fact]
    public void ImportState_BeforeSlotsKnown_MismatchSurfacesAtFirstStepNamingSlot()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors["adamw.m.encoder.fc1.bias"] = new Tensor(6);
        tensors["adamw.v.encoder.fc1.bias"] = new Tensor(6);
        var adam = new AdamW();
        adam.ImportState(tensors, scalars);
        var before = slots.Select(s => s.Value.Clone()).ToArray();
        var e = Should.Throw<ArgumentException>(() => adam.Step(slots, 1e-3));
        e.Message.ShouldContain("'adamw.m.encoder.fc1.bias' has shape [6] but slot 'encoder.fc1.bias' has shape [5]");
        for (int s = 0; s < slots.Length; s++) ShouldBeBitIdentical(slots[s].Value, before[s], slots[s].Name);
        adam.StepCount.ShouldBe(1);
    }

    [Theory]
    [InlineData(null, "lacks the scalar 'adamw.step'")]
    [InlineData("three", "'adamw.step' = 'three'")]
    [InlineData("-1", "'adamw.step' = '-1'")]
    public void ImportState_BadStep_Throws(string? step, string message)
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        if (step is null) scalars.Remove("adamw.step");
        else scalars["adamw.step"] = step;
        Should.Throw<ArgumentException>(() => new AdamW().ImportState(tensors, scalars)).Message.ShouldContain(message);
    }

    [Fact]
    public void ImportState_TensorsAtStepZero_Throws()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        scalars["adamw.step"] = "0";
        Should.Throw<ArgumentException>(() => new AdamW().ImportState(tensors, scalars)).Message.ShouldContain("step 0");
    }

    [Fact]
    public void ImportState_UnknownStateKind_Throws()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors["adamw.max_exp_avg_sq.encoder.embed"] = new Tensor(2, 3, 2);
        Should.Throw<ArgumentException>(() => new AdamW().ImportState(tensors, scalars)).Message.ShouldContain("'adamw.max_exp_avg_sq.encoder.embed'");
    }

    [Fact]
    public void ImportState_OtherHyperparameters_Throws()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        var e = Should.Throw<ArgumentException>(() => new AdamW(new AdamWOptions { WeightDecay = 0.1 }).ImportState(tensors, scalars));
        e.Message.ShouldContain("adamw.weight_decay = 0.01");
    }

    [Fact]
    public void ImportState_IgnoresOtherComponentsKeys()
    {
        var slots = SmallModel(1);
        var (tensors, scalars) = SteppedState(slots);
        tensors["vision_model.embeddings.class_embedding"] = new Tensor(8);
        scalars["trainer.epoch"] = "x";
        var adam = new AdamW();
        adam.ImportState(tensors, scalars);
        adam.StepCount.ShouldBe(1);
    }

    [Fact]
    public void Step_SlotListChanges_ThrowsNamingSlot()
    {
        var slots = SmallModel(1);
        var adam = new AdamW();
        adam.Step(slots, 1e-3);
        OptimizerSlot[] renamed = [slots[0], new OptimizerSlot("encoder.fc2.bias", slots[1].Value, slots[1].Grad), slots[2]];
        Should.Throw<ArgumentException>(() => adam.Step(renamed, 1e-3)).Message.ShouldContain("Slot 1 is 'encoder.fc2.bias' [5]");
        Should.Throw<ArgumentException>(() => adam.Step(slots[..2], 1e-3)).Message.ShouldContain("set up for 3 slots but got 2");
        // New slot objects over the same names and shapes are fine.
        adam.Step(Copy(slots), 1e-3);
        adam.StepCount.ShouldBe(2);
    }

    [Fact]
    public void Step_DuplicateSlotNames_Throws()
    {
        var a = Slot("w", 1, 3);
        var b = Slot("w", 2, 3);
        Should.Throw<ArgumentException>(() => new AdamW().Step([a, b], 1e-3)).Message.ShouldContain("Two slots are named 'w'");
    }

    [Theory]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Step_InvalidLearningRate_Throws(double lr) =>
        Should.Throw<ArgumentOutOfRangeException>(() => new AdamW().Step(SmallModel(1), lr));

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new AdamWOptions { Beta1 = 1 });
        Should.Throw<ArgumentOutOfRangeException>(() => new AdamWOptions { Beta2 = -0.1 });
        Should.Throw<ArgumentOutOfRangeException>(() => new AdamWOptions { Beta2 = double.NaN });
        Should.Throw<ArgumentOutOfRangeException>(() => new AdamWOptions { Epsilon = -1e-8 });
        Should.Throw<ArgumentOutOfRangeException>(() => new AdamWOptions { WeightDecay = double.PositiveInfinity });
        new AdamWOptions { Beta1 = 0, Epsilon = 0, WeightDecay = 0 }.Beta1.ShouldBe(0);
    }

    [Fact]
    public void OptimizerSlot_ShapeMismatch_ThrowsNamingSlot()
    {
        Should.Throw<ArgumentException>(() => new OptimizerSlot("w", new Tensor(2, 3), new Tensor(3, 2))).Message.ShouldContain("'w'");
        var p = new Parameter("layer.weight", new Tensor(2, 3));
        var slot = new OptimizerSlot(p);
        slot.Name.ShouldBe("layer.weight");
        slot.Value.ShouldBeSameAs(p.Value);
        slot.Grad.ShouldBeSameAs(p.Grad);
    }

    [Fact]
    public void Step_SteadyState_AllocatesNothing()
    {
        OptimizerSlot[] slots = [Slot("big", 1, 3 * OptimizerState.ChunkLength + 5), Slot("small", 2, 17)];
        var adam = new AdamW(new AdamWOptions { WeightDecay = 0.1 });
        SteadyStateAllocations.AssertNone(() => adam.Step(slots, 1e-4));
    }
}
