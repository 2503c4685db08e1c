// Tests of DiagonalGgnRegularizer: value and gradient against the dense form Σ β c_b D*⊙v² and
// β c_ln diag(F*)⊙w² (v the τ of every block in the [ΔW | Δb] layout), central finite differences of
// every gradient entry, the coefficients, untrainable parameters, steady-state allocations, and
// agreement with TAK where the curvature is diagonal (G and A diagonal).
using TaskVectors.Curvature;
using TaskVectors.Tests.Layers;
using TaskVectors.Training;

namespace TaskVectors.Tests.Curvature;

public sealed class DiagonalGgnRegularizerTests
{
    private static AggregatedFactors Aggregated() =>
        FactorAggregate.Combine([SyntheticFactors.Random(1, 4, diagonal: true), SyntheticFactors.Random(2, 7, diagonal: true)]);

    // Σ_blocks β c_b Σ_k D[k] v[k]² + Σ_dense β c_ln Σ_i F[i,i] w[i]², and its gradient, in float64.
    private static (double Value, Dictionary<string, double[]> Gradient) DenseForm(AggregatedFactors factors, TakOptions options, IReadOnlyList<TrainableParameter> trainable)
    {
        var byName = trainable.ToDictionary(p => p.Name);
        var gradient = trainable.ToDictionary(p => p.Name, p => new double[p.Tau.Length]);
        double value = 0;
        foreach (var block in factors.Blocks)
        {
            var spec = block.Spec;
            double c = options.Beta * (options.ProjectionBlocks.Contains(spec.Name) ? options.ProjectionCoefficient : 1.0);
            int row = 0, ad = spec.ADim;
            foreach (var m in spec.Members)
                for (int r = 0; r < m.OutFeatures; r++, row++)
                    for (int i = 0; i < ad; i++)
                    {
                        var (name, index) = i < spec.InFeatures ? (m.Weight, r * spec.InFeatures + i) : (m.Bias!, r);
                        if (!byName.TryGetValue(name, out var p)) continue;
                        double d = block.Diagonal![row * ad + i], v = p.Tau[index];
                        value += c * d * v * v;
                        gradient[name][index] += 2 * c * d * v;
                    }
        }
        foreach (var dense in factors.DenseBlocks)
        {
            if (!byName.TryGetValue(dense.Spec.Parameter, out var p)) continue;
            double c = options.Beta * options.LayerNormCoefficient;
            for (int i = 0; i < dense.Spec.Dim; i++)
            {
                double d = dense.F[i * dense.Spec.Dim + i], v = p.Tau[i];
                value += c * d * v * v;
                gradient[p.Name][i] += 2 * c * d * v;
            }
        }
        return (value, gradient);
    }

    private static void ShouldMatchDenseForm(AggregatedFactors factors, TakOptions options, List<TrainableParameter> trainable)
    {
        var (expected, gradient) = DenseForm(factors, options, trainable);
        foreach (var p in trainable) p.Grad.Clear();
        double value = new DiagonalGgnRegularizer(factors, options).AddPenaltyGradient(trainable, step: 0);
        value.ShouldBe(expected, 1e-5 * Math.Abs(expected));
        foreach (var p in trainable)
            for (int i = 0; i < p.Tau.Length; i++)
                ((double)p.Grad[i]).ShouldBe(gradient[p.Name][i], 1e-5 * gradient[p.Name].Max(Math.Abs) + 1e-12, $"∂R/∂{p.Name}[{i}]");
    }

    [Fact]
    public void AddPenaltyGradient_DefaultWeights_EqualsDenseForm() =>
        ShouldMatchDenseForm(Aggregated(), new TakOptions(), SyntheticFactors.Trainable(3));

    [Fact]
    public void AddPenaltyGradient_Coefficients_EqualDenseForm() =>
        ShouldMatchDenseForm(Aggregated(), new TakOptions { Beta = 3, LayerNormCoefficient = 0.5, ProjectionCoefficient = 7 }, SyntheticFactors.Trainable(4));

    [Fact]
    public void AddPenaltyGradient_SomeParametersNotTrainable_TreatedAsZeroAndLeftAlone()
    {
        var trainable = SyntheticFactors.Trainable(5).Where(p => p.Name is not ("enc.k.weight" or "enc.fc.bias" or "enc.norm.weight")).ToList();
        ShouldMatchDenseForm(Aggregated(), new TakOptions(), trainable);
        trainable.Single(p => p.Name == "enc.pos").Grad.Span.ContainsAnyExcept(0f).ShouldBeFalse("uncovered parameters get no gradient");
    }

    [Fact]
    public void AddPenaltyGradient_EveryEntry_MatchesCentralDifferences() =>
        RegularizerChecks.GradientMatchesCentralDifferences(new DiagonalGgnRegularizer(Aggregated(), new TakOptions { Beta = 1 }), SyntheticFactors.Trainable(8));

    [Fact]
    public void AddPenaltyGradient_DiagonalCurvature_AgreesWithTak()
    {
        // With diagonal A and G, G ⊗ A is diagonal with entries G[o,o]·A[i,i]: both penalties must agree.
        var source = SyntheticFactors.Random(9, 5);
        var blocks = source.Blocks.Select(b =>
        {
            int ad = b.Spec.ADim, gd = b.Spec.GDim;
            var a = new double[ad * ad];
            var g = new double[gd * gd];
            var diagonal = new double[gd * ad];
            for (int i = 0; i < ad; i++) a[i * ad + i] = b.A[i * ad + i];
            for (int o = 0; o < gd; o++) g[o * gd + o] = b.G[o * gd + o];
            // One task with N = 5: G* ⊗ A* = (S_G/N) ⊗ (S_A/N), so S_D/N must be diag(S_G) diag(S_A)/N².
            for (int o = 0; o < gd; o++)
                for (int i = 0; i < ad; i++) diagonal[o * ad + i] = g[o * gd + o] * a[i * ad + i] / b.Count;
            return new KroneckerBlock(b.Spec, a, g, b.Count, diagonal);
        }).ToList();
        var dense = source.DenseBlocks.Select(d =>
        {
            var f = new double[d.Spec.Dim * d.Spec.Dim];
            for (int i = 0; i < d.Spec.Dim; i++) f[i * d.Spec.Dim + i] = d.F[i * d.Spec.Dim + i];
            return new DenseBlock(d.Spec, f, d.Count);
        }).ToList();
        var factors = FactorAggregate.Combine([new TaskFactors(blocks, dense, source.Count, source.Metadata)]);
        var trainable = SyntheticFactors.Trainable(10);
        double tak = new TakRegularizer(factors).AddPenaltyGradient(trainable, step: 0);
        var takGradients = trainable.Select(p => p.Grad.Span.ToArray()).ToList();
        foreach (var p in trainable) p.Grad.Clear();
        double diagonalValue = new DiagonalGgnRegularizer(factors).AddPenaltyGradient(trainable, step: 0);
        diagonalValue.ShouldBe(tak, 1e-5 * tak);
        for (int k = 0; k < trainable.Count; k++)
            for (int i = 0; i < takGradients[k].Length; i++)
                trainable[k].Grad[i].ShouldBe(takGradients[k][i], 1e-4f * (1 + Math.Abs(takGradients[k][i])));
    }

    [Fact]
    public void AddPenaltyGradient_SteadyState_AllocatesNothing()
    {
        var trainable = SyntheticFactors.Trainable(12);
        var regularizer = new DiagonalGgnRegularizer(Aggregated());
        SteadyStateAllocations.AssertNone(() => regularizer.AddPenaltyGradient(trainable, step: 0));
    }

    [Fact]
    public void AddPenaltyGradient_ZeroTaskVector_IsZero()
    {
        var trainable = SyntheticFactors.Trainable(13);
        foreach (var p in trainable)
        {
            p.Theta0.Span.CopyTo(p.Theta.Span);
            p.RefreshTau();
        }
        new DiagonalGgnRegularizer(Aggregated()).AddPenaltyGradient(trainable, step: 0).ShouldBe(0);
    }
}
