// Tests of TextTransformer (BERT layout): Hugging Face BertModel names, agreement with a naive
// double-precision forward for every pooling, Backward and Jvp against finite differences and the
// adjoint identity, strict checkpoint loading and bit-identical save/load, padding invariance,
// input validation, dropout, initialization and allocation-free steady-state steps.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;

namespace TaskVectors.Tests.Models;

public sealed class TextTransformerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-bert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TextTransformer Make(TextPooling pooling = TextPooling.Pooler, ulong seed = 31)
    {
        var model = new TextTransformer(BertReference.Tiny, pooling);
        BertReference.Randomize(model, seed);
        return model;
    }

    private static Probe ProbeOf(TextTransformer model, TextBatch batch) => new()
    {
        Forward = () => model.Forward(batch),
        Backward = g =>
        {
            model.Backward(g);
            return null;
        },
        Jvp = _ => model.Jvp(batch),
        Parameters = model.Parameters,
    };

    private static TextBatch BatchWith(Action<int[], int[]> edit, int seq = 7)
    {
        var reference = BertReference.Batch();
        int[] ids = (int[])reference.InputIds.Clone(), types = (int[])reference.TokenTypeIds.Clone();
        edit(ids, types);
        return new TextBatch(2, seq, ids, types, reference.AttentionMask);
    }

    private static List<string> HuggingFaceNames(int layers)
    {
        var names = new List<string>
        {
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        };
        string[] block =
        [
            "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight", "attention.self.key.bias",
            "attention.self.value.weight", "attention.self.value.bias", "attention.output.dense.weight", "attention.output.dense.bias",
            "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
            "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias",
        ];
        for (int l = 0; l < layers; l++) names.AddRange(block.Select(s => $"encoder.layer.{l}.{s}"));
        names.AddRange(["pooler.dense.weight", "pooler.dense.bias"]);
        return names;
    }

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Mean)]
    public void Parameters_AreBertModelStateDictInOrder_WhateverThePooling(TextPooling pooling)
    {
        var model = new TextTransformer(BertReference.Tiny, pooling);
        model.Parameters.Select(p => p.Name).ShouldBe(HuggingFaceNames(2));
        var shapes = model.Parameters.ToDictionary(p => p.Name, p => p.Value.ShapeText);
        shapes["embeddings.word_embeddings.weight"].ShouldBe("[50, 8]");
        shapes["embeddings.position_embeddings.weight"].ShouldBe("[16, 8]");
        shapes["encoder.layer.1.intermediate.dense.weight"].ShouldBe("[16, 8]");
        shapes["encoder.layer.1.output.dense.weight"].ShouldBe("[8, 16]");
        shapes["pooler.dense.weight"].ShouldBe("[8, 8]");
        model.EmbeddingDim.ShouldBe(8);
    }

    [Theory]
    [InlineData(TextPooling.Pooler, 13)]
    [InlineData(TextPooling.Cls, 12)]
    [InlineData(TextPooling.Mean, 12)]
    public void Linears_ListEveryForwardLinearInOrder(TextPooling pooling, int count)
    {
        var names = Make(pooling).Linears.Select(l => l.Name).ToList();
        names.Count.ShouldBe(count);
        names[0].ShouldBe("encoder.layer.0.attention.self.query");
        names[5].ShouldBe("encoder.layer.0.output.dense");
        names[6].ShouldBe("encoder.layer.1.attention.self.query");
        names[11].ShouldBe("encoder.layer.1.output.dense");
        if (pooling == TextPooling.Pooler) names[12].ShouldBe("pooler.dense");
    }

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Cls)]
    [InlineData(TextPooling.Mean)]
    public void Forward_MatchesNaiveBertModel(TextPooling pooling)
    {
        var model = Make(pooling);
        var batch = BertReference.Batch();
        var f = model.Forward(batch);
        f.Shape.ToArray().ShouldBe([2, 8]);
        var expected = BertReference.Model(model, batch);
        for (int i = 0; i < f.Length; i++) f[i].ShouldBe((float)expected[i], 2e-5, $"f[{i}]");
        for (int b = 0; b < 2; b++) TensorMath.Norm(f.Span.Slice(b * 8, 8)).ShouldBe(1f, 1e-5f);
        model.LastHiddenState!.Shape.ToArray().ShouldBe([2, 7, 8]);
    }

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Cls)]
    [InlineData(TextPooling.Mean)]
    public void Backward_MatchesFiniteDifferences(TextPooling pooling) =>
        DerivativeChecks.Backward(ProbeOf(Make(pooling, 32), BertReference.Batch()));

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Mean)]
    public void Jvp_MatchesFiniteDifferences(TextPooling pooling) =>
        DerivativeChecks.Jvp(ProbeOf(Make(pooling, 33), BertReference.Batch()));

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Cls)]
    [InlineData(TextPooling.Mean)]
    public void JvpAndBackward_SatisfyAdjointIdentity(TextPooling pooling) =>
        DerivativeChecks.Adjoint(ProbeOf(Make(pooling, 34), BertReference.Batch()));

    [Fact]
    public void Backward_ClsPooling_LeavesThePoolerUntouched()
    {
        var model = Make(TextPooling.Cls);
        var f = model.Forward(BertReference.Batch());
        var g = new Tensor(f.Shape);
        new Rng(5).FillNormal(g.Span);
        foreach (var p in model.Parameters) p.ZeroGrad();
        model.Backward(g);
        foreach (var p in model.Pooler.Parameters) p.Grad.Span.ToArray().ShouldAllBe(v => v == 0f);
        model.Layers[0].Intermediate.Weight.Grad.Span.ToArray().ShouldContain(v => v != 0f);
    }

    [Fact]
    public void JvpThenBackward_EqualsForwardThenBackward()
    {
        var model = Make();
        var batch = BertReference.Batch();
        var g = new Tensor(2, 8);
        new Rng(6).FillNormal(g.Span);
        var f = model.Forward(batch).Clone();
        foreach (var p in model.Parameters) p.ZeroGrad();
        model.Backward(g);
        var grads = model.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();

        var rng = new Rng(7);
        foreach (var p in model.Parameters)
        {
            p.Tangent = new Tensor(p.Value.Shape);
            rng.FillNormal(p.Tangent.Span);
        }
        var dual = model.Jvp(batch);
        ArrayAssert.Equal(dual.Primal.Span, f.Span);
        foreach (var p in model.Parameters) p.ZeroGrad();
        model.Backward(g);
        foreach (var (p, expected) in model.Parameters.Zip(grads)) ArrayAssert.Equal(p.Grad.Span, expected, p.Name);
    }

    [Fact]
    public void Jvp_NoTangents_GivesZeroTangent()
    {
        var model = Make();
        var dual = model.Jvp(BertReference.Batch());
        dual.Tangent.Span.ToArray().ShouldAllBe(v => v == 0f);
    }

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Cls)]
    [InlineData(TextPooling.Mean)]
    public void Forward_PaddedIdsAndSegments_DoNotChangeTheEmbedding(TextPooling pooling)
    {
        var model = Make(pooling);
        var f = model.Forward(BertReference.Batch()).Clone();
        var padded = BatchWith((ids, types) =>
        {
            foreach (int n in BertReference.PaddedPositions) (ids[n], types[n]) = (n + 30, 1);
        });
        ArrayAssert.Equal(model.Forward(padded).Span, f.Span);
        // A real token of the same sequence does move it: the check above can fail.
        var real = BatchWith((ids, _) => ids[8] = 40);
        var moved = model.Forward(real);
        Enumerable.Range(8, 8).Any(i => moved[i] != f[i]).ShouldBeTrue();
        for (int i = 0; i < 8; i++) moved[i].ShouldBe(f[i]); // sequence 0 is untouched
    }

    [Fact]
    public void SaveThenLoad_GivesBitIdenticalOutputs()
    {
        var source = Make(TextPooling.Mean);
        string path = Path.Combine(_dir, "bert.safetensors");
        source.Save(path, new Dictionary<string, string> { ["format"] = "pt" });
        using (var file = SafetensorsFile.Open(path))
            file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal).ShouldBe(HuggingFaceNames(2).Order(StringComparer.Ordinal));
        var loaded = TextTransformer.Load(path, BertReference.Tiny, TextPooling.Mean);
        foreach (var (s, t) in source.Parameters.Zip(loaded.Parameters)) ArrayAssert.Equal(t.Value.Span, s.Value.Span, t.Name);
        var batch = BertReference.Batch();
        ArrayAssert.Equal(loaded.Forward(batch).Span, source.Forward(batch).Span);
        var otherPooling = TextTransformer.Load(path, BertReference.Tiny, TextPooling.Pooler);
        ArrayAssert.Equal(otherPooling.Pooler.Dense.Weight.Value.Span, source.Pooler.Dense.Weight.Value.Span);
    }

    [Fact]
    public void Load_RenamedMissingAndMisshapedTensors_ListsEveryProblemAndLoadsNothing()
    {
        var source = Make();
        string path = Path.Combine(_dir, "bad.safetensors");
        var tensors = new List<(string, Tensor)>();
        foreach (var p in source.Parameters)
        {
            switch (p.Name)
            {
                case "encoder.layer.1.output.dense.weight": tensors.Add(("encoder.layer.1.output.dense.kernel", p.Value)); break;
                case "pooler.dense.bias": break;
                case "embeddings.position_embeddings.weight": tensors.Add((p.Name, new Tensor(8, 8))); break;
                default: tensors.Add((p.Name, p.Value)); break;
            }
        }
        SafetensorsWriter.Write(path, tensors);
        var target = Make(seed: 99);
        var before = Checkpoint.Snapshot(target);
        var e = Should.Throw<CheckpointMismatchException>(() => TextTransformer.Load(path, BertReference.Tiny));
        e.Missing.ShouldBe(["encoder.layer.1.output.dense.weight [8, 16]", "pooler.dense.bias [8]"], ignoreOrder: true);
        e.Unexpected.ShouldBe(["encoder.layer.1.output.dense.kernel [8, 16]"]);
        e.Misshaped.ShouldBe(["embeddings.position_embeddings.weight: model [16, 8], file [8, 8]"]);
        foreach (string item in e.Missing.Concat(e.Unexpected).Concat(e.Misshaped)) e.Message.ShouldContain(item);
        Should.Throw<CheckpointMismatchException>(() => Checkpoint.Load(target, path));
        foreach (var p in target.Parameters) ArrayAssert.Equal(p.Value.Span, before[p.Name].Span, p.Name);
    }

    [Fact]
    public void Load_ExtraTensor_Fails()
    {
        var source = Make();
        string path = Path.Combine(_dir, "extra.safetensors");
        SafetensorsWriter.Write(path, source.Parameters.Select(p => (p.Name, p.Value)).Append(("encoder.layer.0.adapter.weight", new Tensor(50))));
        Should.Throw<CheckpointMismatchException>(() => TextTransformer.Load(path, BertReference.Tiny))
            .Unexpected.ShouldBe(["encoder.layer.0.adapter.weight [50]"]);
    }

    [Fact]
    public void Load_HuggingFaceBertFile_LoadsByDefault_ButNotWithExactNames()
    {
        // As BertForSequenceClassification saves it: "bert." prefix, legacy LayerNorm gamma/beta names,
        // pre-training and classification heads, and the int64 position_ids buffer.
        var source = Make();
        string path = Path.Combine(_dir, "hf.safetensors");
        string Legacy(string name) => name.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta");
        SafetensorsWriter.Write(path, source.Parameters.Select(p => ("bert." + Legacy(p.Name), p.Value))
            .Append(("bert.embeddings.position_ids", new Tensor(1, 16)))
            .Append(("cls.predictions.bias", new Tensor(50)))
            .Append(("classifier.weight", new Tensor(3, 8))));
        var loaded = TextTransformer.Load(path, BertReference.Tiny);
        var batch = BertReference.Batch();
        ArrayAssert.Equal(loaded.Forward(batch).Span, source.Forward(batch).Span);
        var e = Should.Throw<CheckpointMismatchException>(() => TextTransformer.Load(path, BertReference.Tiny, options: CheckpointLoadOptions.Exact));
        e.Missing.Count.ShouldBe(source.Parameters.Count);
        e.Unexpected.ShouldContain("classifier.weight [3, 8]");
    }

    [Fact]
    public void Forward_SequenceLongerThanMaxPositions_Throws()
    {
        var model = Make();
        var batch = new TextBatch(1, 17, new int[17], new int[17], Ones(1, 17));
        Should.Throw<ArgumentException>(() => model.Forward(batch)).Message.ShouldContain("16 positions");
        Should.Throw<ArgumentException>(() => model.Jvp(batch)).Message.ShouldContain("16 positions");
    }

    [Fact]
    public void Forward_IdsOutOfRange_Throw()
    {
        var model = Make();
        Should.Throw<ArgumentException>(() => model.Forward(BatchWith((ids, _) => ids[3] = 50))).Message.ShouldContain("token id 50 at (sequence 0, position 3)");
        Should.Throw<ArgumentException>(() => model.Jvp(BatchWith((ids, _) => ids[9] = -2))).Message.ShouldContain("token id -2");
        Should.Throw<ArgumentException>(() => model.Forward(BatchWith((_, types) => types[4] = 2))).Message.ShouldContain("token type id 2");
    }

    [Fact]
    public void Forward_SequenceWithoutRealTokens_Throws()
    {
        var model = Make();
        var mask = Ones(2, 3);
        for (int t = 0; t < 3; t++) mask[1, t] = 0f;
        var batch = new TextBatch(2, 3, [1, 5, 2, 0, 0, 0], new int[6], mask);
        Should.Throw<ArgumentException>(() => model.Forward(batch)).Message.ShouldContain("sequence 1");
    }

    [Fact]
    public void Backward_BeforeForward_Throws()
    {
        Should.Throw<InvalidOperationException>(() => new TextTransformer(BertReference.Tiny).Backward(new Tensor(2, 8)));
    }

    [Fact]
    public void Constructor_InvalidConfig_Throws()
    {
        Should.Throw<ArgumentException>(() => new TextTransformer(BertReference.Tiny with { Heads = 3 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new TextTransformer(BertReference.Tiny, (TextPooling)7));
    }

    [Fact]
    public void Training_TogglesEveryDropout_AndIsSeeded()
    {
        var model = Make();
        var batch = BertReference.Batch();
        var eval = model.Forward(batch).Clone();
        model.Training = true;
        model.Embeddings.Dropout.Training.ShouldBeTrue();
        model.Layers.ShouldAllBe(l => l.AttentionDropout.Training && l.OutputDropout.Training);
        var train = model.Forward(batch).Clone();
        train.Span.SequenceEqual(eval.Span).ShouldBeFalse();

        var twin = Make();
        twin.Training = true;
        ArrayAssert.Equal(twin.Forward(batch).Span, train.Span);

        model.Training = false;
        ArrayAssert.Equal(model.Forward(batch).Span, eval.Span);
    }

    // Restarting every mask stream before each pass makes all passes draw the same masks, so the
    // training-mode function is fixed and finite differences apply to it.
    private static Probe TrainingProbe(TextTransformer model, TextBatch batch)
    {
        void Restart()
        {
            model.Embeddings.Dropout.Reset();
            foreach (var layer in model.Layers)
            {
                layer.AttentionDropout.Reset();
                layer.OutputDropout.Reset();
            }
        }
        model.Training = true;
        return new Probe
        {
            Forward = () =>
            {
                Restart();
                return model.Forward(batch);
            },
            Backward = g =>
            {
                model.Backward(g);
                return null;
            },
            Jvp = _ =>
            {
                Restart();
                return model.Jvp(batch);
            },
            Parameters = model.Parameters,
        };
    }

    [Fact]
    public void Backward_TrainingWithFixedMasks_MatchesFiniteDifferences() =>
        DerivativeChecks.Backward(TrainingProbe(Make(TextPooling.Mean, 35), BertReference.Batch()));

    [Fact]
    public void JvpAndBackward_TrainingWithFixedMasks_SatisfyAdjointIdentity() =>
        DerivativeChecks.Adjoint(TrainingProbe(Make(TextPooling.Pooler, 36), BertReference.Batch()));

    [Fact]
    public void Initialize_FollowsHuggingFaceAndIsDeterministic()
    {
        var model = Make();
        model.Initialize(new Rng(8));
        foreach (var p in model.Parameters)
        {
            var values = p.Value.Span.ToArray();
            if (p.Name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) values.ShouldAllBe(v => v == 1f, p.Name);
            else if (p.Value.Rank == 1) values.ShouldAllBe(v => v == 0f, p.Name);
            else if (p.Length >= 64) Math.Sqrt(values.Average(v => (double)v * v)).ShouldBe(0.02, 0.006, p.Name);
        }
        model.Embeddings.Word.Weight.Value.Span[..8].ToArray().ShouldAllBe(v => v == 0f);
        var twin = new TextTransformer(BertReference.Tiny);
        twin.Initialize(new Rng(8));
        foreach (var (a, b) in model.Parameters.Zip(twin.Parameters)) ArrayAssert.Equal(b.Value.Span, a.Value.Span);
    }

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Mean)]
    public void ForwardBackward_SteadyState_AllocatesNothing(TextPooling pooling)
    {
        var model = Make(pooling);
        var batch = BertReference.Batch();
        var g = new Tensor(2, 8);
        new Rng(9).FillNormal(g.Span);
        SteadyStateAllocations.AssertNone(() =>
        {
            model.Forward(batch);
            model.Backward(g);
        });
    }

    [Fact]
    public void JvpBackward_SteadyState_AllocatesNothing()
    {
        var model = Make(TextPooling.Cls);
        var rng = new Rng(10);
        foreach (var p in model.Parameters)
        {
            p.Tangent = new Tensor(p.Value.Shape);
            rng.FillNormal(p.Tangent.Span);
        }
        var batch = BertReference.Batch();
        var g = new Tensor(2, 8);
        rng.FillNormal(g.Span);
        SteadyStateAllocations.AssertNone(() =>
        {
            model.Jvp(batch);
            model.Backward(g);
        });
    }

    [Fact]
    public void TrainingStep_SteadyState_AllocatesNothing()
    {
        var model = Make();
        model.Training = true;
        var batch = BertReference.Batch();
        var g = new Tensor(2, 8);
        new Rng(11).FillNormal(g.Span);
        SteadyStateAllocations.AssertNone(() =>
        {
            model.Forward(batch);
            model.Backward(g);
        });
    }

    private static Tensor Ones(int batch, int seq)
    {
        var t = new Tensor(batch, seq);
        t.Fill(1f);
        return t;
    }
}
