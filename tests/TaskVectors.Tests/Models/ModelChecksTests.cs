// ModelChecksTests: the public derivative checker passes the built-in models, catches a Backward that
// forgets a residual gradient (naming the parameter it hurts), and leaves the model as it found it.
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Curvature;

namespace TaskVectors.Tests.Models;

public sealed class ModelChecksTests
{
    [Fact]
    public void Derivatives_VisionTransformer_Passes()
    {
        var report = ModelChecks.Derivatives(TinyVit.Model(), TinyVit.Images(2, 4).CreateBatchOf(0, 1));
        report.Parameters.Count.ShouldBe(TinyVit.Model().Parameters.Count);
        report.Passed.ShouldBeTrue(report.ToString());
    }

    [Fact]
    public void Derivatives_TextTransformer_Passes()
    {
        var model = new TextTransformer(BertReference.Tiny, TextPooling.Mean);
        BertReference.Randomize(model, 6);
        var report = ModelChecks.Derivatives(model, BertReference.Batch());
        report.Passed.ShouldBeTrue(report.ToString());
    }

    [Fact]
    public void Derivatives_BackwardForgetsResidualGradient_FailsNamingFc1()
    {
        var model = new ResidualMlp(5, 3, ResidualBackward.Forgotten);
        var report = ModelChecks.Derivatives(model, TensorData.Random(2, 3, 5).CreateBatchOf(0, 1, 2));
        report.Passed.ShouldBeFalse();
        report.Worst!.Name.ShouldStartWith("block.fc1.");
        report.Worst.BackwardError.ShouldBeGreaterThan(1);
        report.Worst.JvpError.ShouldBeLessThanOrEqualTo(1, "Jvp is right; only Backward forgot the residual");
        report.Parameters.Where(p => !p.Name.StartsWith("block.fc1.", StringComparison.Ordinal)).ShouldAllBe(p => p.Passed);
        string text = report.ToString();
        text.ShouldContain("FAILED");
        text.ShouldContain("worst: block.fc1.");
        Should.Throw<InvalidOperationException>(report.ThrowIfFailed).Message.ShouldBe(text);
    }

    [Fact]
    public void Derivatives_AnyModel_RestoresValuesGradientsAndTangents()
    {
        var model = new ResidualMlp(4, 2, scale: true, excludeScale: true);
        var tangent = new Tensor(4);
        model.Scale!.Tangent = tangent;
        model.Fc1.Weight.Grad[0, 0] = 7f;
        model.Fc2.Bias!.RequiresGrad = false;
        var before = model.Parameters.Select(p => (p.Value.Span.ToArray(), p.Grad.Span.ToArray())).ToList();
        ModelChecks.Derivatives(model, TensorData.Random(3, 2, 4).CreateBatchOf(0, 1)).Passed.ShouldBeTrue();
        for (int k = 0; k < before.Count; k++)
        {
            model.Parameters[k].Value.Span.ToArray().ShouldBe(before[k].Item1);
            model.Parameters[k].Grad.Span.ToArray().ShouldBe(before[k].Item2);
        }
        model.Scale.Tangent.ShouldBeSameAs(tangent);
        model.Fc2.Bias.RequiresGrad.ShouldBeFalse();
    }

    [Fact]
    public void Derivatives_NegativeStep_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => ModelChecks.Derivatives(new ResidualMlp(2, 2), new Tensor(1, 2), new DerivativeCheckOptions { Epsilon = -1 }));
}
