// KfacCoverageTests: what the estimator refuses to do silently — read an output gradient a model changed in
// place after the layer received it (issue 16's failure (a)), or leave a trainable weight without a block.
using TaskVectors.Curvature;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

public sealed class KfacCoverageTests
{
    private const int Width = 5, Outputs = 3, Examples = 4;
    private static readonly KfacOptions Exact = new() { Estimator = KfacEstimatorKind.Exact, BatchSize = 2 };

    private static TensorData Inputs() => TensorData.Random(8, Examples, Width);

    [Fact]
    public void Backward_ResidualAddedInPlace_CorruptsTheGradientFc2Holds()
    {
        // The failure as it happened: training gradients are right, but the tensor fc2 keeps as ∂L/∂y is overwritten.
        var model = new ResidualMlp(Width, Outputs, ResidualBackward.InPlace);
        var x = Inputs().CreateBatchOf(0, 1);
        var probe = new Tensor(2, Outputs);
        new Rng(3).FillNormal(probe.Span);
        model.Forward(x);
        model.Backward(probe);
        // fc2's true output gradient is fc3's input gradient, probe · W₃.
        var truth = new double[2 * Width];
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < Width; i++)
                for (int c = 0; c < Outputs; c++) truth[n * Width + i] += (double)probe[n, c] * model.Fc3.Weight.Value[c, i];
        var held = model.Fc2.LastGradOutput!.Span.ToArray();
        double maxDiff = truth.Select((t, i) => Math.Abs(t - held[i])).Max();
        maxDiff.ShouldBeGreaterThan(1e-2, "the in-place residual add changed what fc2 holds");
        ModelChecks.Derivatives(model, x).Passed.ShouldBeTrue("training gradients stay correct, which is why the bug was silent");
    }

    [Fact]
    public void Estimate_ResidualAddedInPlace_FailsNamingTheLayer()
    {
        var model = new ResidualMlp(Width, Outputs, ResidualBackward.InPlace);
        var error = Should.Throw<InvalidOperationException>(() => KfacEstimator.Estimate(model, Inputs(), Exact));
        error.Message.ShouldContain("'block.fc2'");
        error.Message.ShouldContain("changed");
        model.Fc2.TracksCurvature.ShouldBeFalse("tracking is restored after the estimation");
    }

    [Fact]
    public void Estimate_ResidualAddedIntoOwnTensor_GOfFc2IsTheExactSum()
    {
        // Exact mode, one token per sample: S_G of fc2 = Σ_n Σ_c g gᵀ with g = e_cᵀ W₃, i.e. N · W₃ᵀ W₃.
        var model = new ResidualMlp(Width, Outputs, ResidualBackward.Separate);
        var factors = KfacEstimator.Estimate(model, Inputs(), Exact);
        var block = factors.Blocks.Single(b => b.Name == "block.fc2");
        var expected = new double[Width * Width];
        for (int i = 0; i < Width; i++)
            for (int j = 0; j < Width; j++)
                for (int c = 0; c < Outputs; c++)
                    expected[i * Width + j] += Examples * (double)model.Fc3.Weight.Value[c, i] * model.Fc3.Weight.Value[c, j];
        Dense.ShouldBeClose(block.G, expected, Width, 1e-5, "fc2 G");
        factors.Blocks.Select(b => b.Name).ShouldBe(["block.fc1", "block.fc2", "head"]);
    }

    [Fact]
    public void Estimate_PlainParameterWithoutRole_FailsNamingIt()
    {
        var model = new ResidualMlp(Width, Outputs, scale: true);
        model.Registration.RoleOf(model.Scale!).ShouldBe(CurvatureRole.None);
        var error = Should.Throw<InvalidOperationException>(() => KfacEstimator.Estimate(model, Inputs(), Exact));
        error.Message.ShouldContain("'scale' [5]");
        error.Message.ShouldContain("ExcludedParameters");
    }

    [Fact]
    public void Estimate_PlainParameterExcludedByCaller_EstimatesTheOtherBlocks()
    {
        var model = new ResidualMlp(Width, Outputs, scale: true);
        var factors = KfacEstimator.Estimate(model, Inputs(), Exact with { ExcludedParameters = ["scale"] });
        factors.Blocks.Select(b => b.Name).ShouldBe(["block.fc1", "block.fc2", "head"]);
        factors.Metadata[KfacEstimator.ExcludedKey].ShouldBe("scale");
    }

    [Fact]
    public void Estimate_PlainParameterExcludedAtRegistration_Estimates()
    {
        var model = new ResidualMlp(Width, Outputs, scale: true, excludeScale: true);
        model.Registration.RoleOf(model.Scale!).ShouldBe(CurvatureRole.Excluded);
        KfacEstimator.Estimate(model, Inputs(), Exact).Blocks.Count.ShouldBe(3);
    }

    [Fact]
    public void Estimate_ExcludedNameNotInModel_Throws()
    {
        var model = new ResidualMlp(Width, Outputs);
        Should.Throw<ArgumentException>(() => KfacEstimator.Estimate(model, Inputs(), Exact with { ExcludedParameters = ["nope"] }))
            .Message.ShouldContain("'nope'");
    }

    [Fact]
    public void Estimate_InputChangedAfterForward_FailsNamingTheLayer()
    {
        var model = new ResidualMlp(Width, Outputs);
        model.Fc1.TracksCurvature = true;
        var x = Inputs().CreateBatchOf(0, 1);
        model.Forward(x);
        model.Fc1.CurvatureInput().Length.ShouldBe(2 * Width);
        x[0, 0] += 1f;
        Should.Throw<InvalidOperationException>(() => model.Fc1.CurvatureInput()).Message.ShouldContain("'block.fc1'");
    }
}
