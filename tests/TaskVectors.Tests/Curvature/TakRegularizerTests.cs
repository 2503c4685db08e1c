// Tests of TakRegularizer: value and gradient against the dense form vᵀ M v, 2 M v (M the block-diagonal of
// β·c_b·Σ_k w_k (G_k ⊗ A_k) and β·c_ln·F, v the τ of every block in the [ΔW | Δb] layout), central finite
// differences of every gradient entry, the coefficients, Eq. 7 terms, untrainable parameters, gradient
// accumulation, steady-state allocations, and the binding to a real ViT's trainable set.
using TaskVectors.Curvature;
using TaskVectors.Tests.Layers;
using TaskVectors.Training;

namespace TaskVectors.Tests.Curvature;

public sealed class TakRegularizerTests
{
    private static AggregatedFactors Aggregated() => FactorAggregate.Combine([SyntheticFactors.Random(1, 4), SyntheticFactors.Random(2, 7)]);

    // The value and per-parameter gradients of the dense form, in float64.
    private static (double Value, Dictionary<string, double[]> Gradient) DenseForm(AggregatedFactors factors, TakOptions options, IReadOnlyList<TrainableParameter> trainable)
    {
        var byName = trainable.ToDictionary(p => p.Name);
        double value = 0;
        var gradient = trainable.ToDictionary(p => p.Name, p => new double[p.Tau.Length]);
        foreach (var block in factors.Blocks)
        {
            var spec = block.Spec;
            int ad = spec.ADim, size = spec.GDim * ad;
            // v[o·ad + i] and where it lives: (parameter, index) or nowhere (untrainable → 0).
            var v = new double[size];
            var home = new (string Name, int Index)?[size];
            int row = 0;
            foreach (var m in spec.Members)
            {
                for (int r = 0; r < m.OutFeatures; r++, row++)
                {
                    for (int i = 0; i < spec.InFeatures; i++) home[row * ad + i] = (m.Weight, r * spec.InFeatures + i);
                    if (m.Bias is not null) home[row * ad + spec.InFeatures] = (m.Bias, r);
                }
            }
            for (int k = 0; k < size; k++)
                if (home[k] is { } h && byName.TryGetValue(h.Name, out var p)) v[k] = p.Tau[h.Index];
            double coefficient = options.Beta * (options.ProjectionBlocks.Contains(spec.Name) ? options.ProjectionCoefficient : 1.0);
            var mv = new double[size];
            foreach (var term in block.Terms)
            {
                var kron = Dense.Kronecker(term.G, spec.GDim, term.A, ad, coefficient * term.Weight);
                for (int a = 0; a < size; a++)
                    for (int b = 0; b < size; b++) mv[a] += kron[a, b] * v[b];
            }
            for (int k = 0; k < size; k++)
            {
                value += v[k] * mv[k];
                if (home[k] is { } h && gradient.TryGetValue(h.Name, out var g)) g[h.Index] += 2 * mv[k];
            }
        }
        foreach (var dense in factors.DenseBlocks)
        {
            if (!byName.TryGetValue(dense.Spec.Parameter, out var p)) continue;
            int d = dense.Spec.Dim;
            double coefficient = options.Beta * options.LayerNormCoefficient;
            for (int a = 0; a < d; a++)
            {
                double fv = 0;
                for (int b = 0; b < d; b++) fv += coefficient * dense.F[a * d + b] * p.Tau[b];
                value += p.Tau[a] * fv;
                gradient[p.Name][a] += 2 * fv;
            }
        }
        return (value, gradient);
    }

    private static void ShouldMatchDenseForm(AggregatedFactors factors, TakOptions options, List<TrainableParameter> trainable)
    {
        var (expected, gradient) = DenseForm(factors, options, trainable);
        foreach (var p in trainable) p.Grad.Clear();
        double value = new TakRegularizer(factors, options).AddPenaltyGradient(trainable, step: 0);
        value.ShouldBe(expected, 1e-5 * Math.Abs(expected));
        foreach (var p in trainable)
        {
            var actual = p.Grad.Span.ToArray().Select(v => (double)v).ToArray();
            Dense.ShouldBeClose(Row(actual), Row(gradient[p.Name]), 1e-5, "∂R/∂" + p.Name);
        }
    }

    private static double[,] Row(double[] values)
    {
        var result = new double[1, values.Length];
        for (int i = 0; i < values.Length; i++) result[0, i] = values[i];
        return result;
    }

    [Fact]
    public void AddPenaltyGradient_DefaultWeights_EqualsDenseForm()
    {
        var options = new TakOptions();
        (options.Beta, options.LayerNormCoefficient, options.ProjectionCoefficient).ShouldBe((100.0, 10.0, 0.1));
        ShouldMatchDenseForm(Aggregated(), options, SyntheticFactors.Trainable(5));
    }

    [Fact]
    public void AddPenaltyGradient_Eq7Terms_EqualsDenseForm()
    {
        var eq7 = FactorAggregate.PerTask([SyntheticFactors.Random(1, 4), SyntheticFactors.Random(2, 7), SyntheticFactors.Random(3, 2)]);
        ShouldMatchDenseForm(eq7, new TakOptions { Beta = 3, LayerNormCoefficient = 2, ProjectionCoefficient = 0.5 }, SyntheticFactors.Trainable(6));
    }

    [Fact]
    public void AddPenaltyGradient_SomeParametersNotTrainable_TreatedAsZeroAndLeftAlone()
    {
        // Only q's weight, fc's bias and the class embedding train: k, q's bias, fc's weight are τ = 0.
        var trainable = SyntheticFactors.Trainable(7).Where(p => p.Name is "enc.q.weight" or "enc.fc.bias" or "embeddings.class_embedding" or "enc.pos").ToList();
        ShouldMatchDenseForm(Aggregated(), new TakOptions(), trainable);
        trainable.Single(p => p.Name == "enc.pos").Grad.Span.ContainsAnyExcept(0f).ShouldBeFalse("uncovered parameters get no gradient");
    }

    [Fact]
    public void AddPenaltyGradient_EveryEntry_MatchesCentralDifferences() =>
        RegularizerChecks.GradientMatchesCentralDifferences(new TakRegularizer(Aggregated(), new TakOptions { Beta = 1 }), SyntheticFactors.Trainable(8));

    [Fact]
    public void AddPenaltyGradient_Coefficients_ScaleTheirTermsOnly()
    {
        var factors = Aggregated();
        var trainable = SyntheticFactors.Trainable(9);
        double R(TakOptions o) => new TakRegularizer(factors, o).AddPenaltyGradient(trainable, step: 0);
        var baseline = new TakOptions { Beta = 1, LayerNormCoefficient = 0, ProjectionCoefficient = 0 };
        double layers = R(baseline);
        double projection = R(baseline with { ProjectionCoefficient = 1 }) - layers;
        double dense = R(baseline with { LayerNormCoefficient = 1 }) - layers;
        projection.ShouldBeGreaterThan(0);
        dense.ShouldBeGreaterThan(0);
        R(new TakOptions()).ShouldBe(100 * (layers + 0.1 * projection + 10 * dense), 1e-5 * R(new TakOptions()));
        R(baseline with { Beta = 7 }).ShouldBe(7 * layers, 1e-6 * 7 * layers);
        R(baseline with { ProjectionBlocks = [] }).ShouldBe(layers + projection, 1e-6 * (layers + projection));
    }

    [Fact]
    public void AddPenaltyGradient_AddsToExistingGradients()
    {
        var factors = Aggregated();
        var trainable = SyntheticFactors.Trainable(10);
        var regularizer = new TakRegularizer(factors);
        foreach (var p in trainable) p.Grad.Clear();
        regularizer.AddPenaltyGradient(trainable, step: 0);
        var once = trainable.Select(p => p.Grad.Span.ToArray()).ToList();
        regularizer.AddPenaltyGradient(trainable, step: 0);
        for (int k = 0; k < trainable.Count; k++)
            for (int i = 0; i < once[k].Length; i++) trainable[k].Grad[i].ShouldBe(2 * once[k][i], 1e-6 * Math.Abs(once[k][i]) + 1e-12);
    }

    [Fact]
    public void AddPenaltyGradient_ZeroTaskVector_IsZero()
    {
        var trainable = SyntheticFactors.Trainable(11);
        foreach (var p in trainable)
        {
            p.Theta0.CopyFrom(p.Theta);
            p.RefreshTau();
        }
        new TakRegularizer(Aggregated()).AddPenaltyGradient(trainable, step: 0).ShouldBe(0);
    }

    [Fact]
    public void AddPenaltyGradient_SteadyState_AllocatesNothing()
    {
        var trainable = SyntheticFactors.Trainable(12);
        var regularizer = new TakRegularizer(Aggregated());
        SteadyStateAllocations.AssertNone(() => regularizer.AddPenaltyGradient(trainable, step: 0));
    }

    [Fact]
    public void AddPenaltyGradient_MisshapedParameter_Throws()
    {
        var wrong = new TaskVectors.Layers.Parameter("enc.q.weight", new TaskVectors.Tensors.Tensor(3, 2));
        var trainable = SyntheticFactors.Trainable(13, [wrong]);
        Should.Throw<ArgumentException>(() => new TakRegularizer(Aggregated()).AddPenaltyGradient(trainable, step: 0)).Message.ShouldContain("enc.q.weight");
    }

    [Fact]
    public void AddPenaltyGradient_VisionTransformerTakSelection_BindsEveryBlock()
    {
        var model = TinyVit.Model();
        var tasks = new[] { TinyVit.Images(4, 20), TinyVit.Images(4, 21) }.Select(d => KfacEstimator.Estimate(model, d)).ToList();
        var aggregate = new FactorAggregate();
        aggregate.Add("a", tasks[0]);
        aggregate.Add("b", tasks[1]);
        var selected = ParameterSelection.LinearizedTak.Select(model);
        var trainable = SyntheticFactors.Trainable(14, selected);
        var covered = tasks[0].Blocks.SelectMany(b => b.Spec.Members.SelectMany(m => new[] { m.Weight, m.Bias }))
            .Concat(tasks[0].DenseBlocks.Select(d => d.Parameter)).OfType<string>().ToHashSet();
        // The paper's trainable set is what the factors cover, but for the patch embedding (a block, not trained).
        covered.Remove(model.PatchEmbedding.Weight.Name).ShouldBeTrue();
        selected.Select(p => p.Name).ToHashSet().SetEquals(covered).ShouldBeTrue();
        ShouldMatchDenseForm(aggregate.AllBut("a", tasks[0]), new TakOptions(), trainable);
    }
}
