// Tests of SoftmaxCrossEntropy: hand-computed losses with and without label smoothing, gradient and
// loss tangent against finite differences and the adjoint identity (through a probe whose output is
// the scalar loss), label validation, accuracy counting and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class SoftmaxCrossEntropyTests
{
    private static Tensor Random(ulong seed, params int[] shape)
    {
        var x = new Tensor(shape);
        new Rng(seed).FillNormal(x.Span, 0f, 2f);
        return x;
    }

    // The loss as a one-element tensor, so DerivativeChecks can treat it as a layer output.
    private static Probe LossProbe(SoftmaxCrossEntropy loss, Tensor logits, int[] labels) => new()
    {
        Forward = () => new Tensor(new[] { (float)loss.Forward(logits, labels) }, 1),
        Backward = g => loss.Backward(g[0]),
        Jvp = tan =>
        {
            var (value, tangent) = loss.Jvp(logits, tan, labels);
            return new Dual(new Tensor(new[] { (float)value }, 1), new Tensor(new[] { (float)tangent }, 1));
        },
        Input = logits,
        Parameters = [],
    };

    [Fact]
    public void Forward_HandComputed_MeanOverRows()
    {
        // Row 1: z = (1, 2, 3), label 2: log(e + e² + e³) − 3. Row 2: z = (0.5, −1, 0.25), label 0.
        var logits = new Tensor(new float[] { 1, 2, 3, 0.5f, -1, 0.25f }, 2, 3);
        new SoftmaxCrossEntropy().Forward(logits, [2, 0]).ShouldBe(0.5508590754231472, 1e-6);
    }

    [Fact]
    public void Forward_LabelSmoothing_MatchesPyTorchDefinition()
    {
        // (1 − ε)·nll + ε·(logZ − mean z) with ε = 0.1, K = 3.
        var logits = new Tensor(new float[] { 1, 2, 3 }, 1, 3);
        new SoftmaxCrossEntropy(0.1f).Forward(logits, [2]).ShouldBe(0.5076059644443801, 1e-6);
    }

    [Fact]
    public void Backward_IsSoftmaxMinusTargetOverN()
    {
        var loss = new SoftmaxCrossEntropy();
        var logits = new Tensor(new float[] { 0, 0, 0, 0 }, 2, 2);
        loss.Forward(logits, [0, 1]);
        loss.Backward().Span.ToArray().ShouldBe([-0.25f, 0.25f, 0.25f, -0.25f], tolerance: 1e-7f);
    }

    [Fact]
    public void Backward_AfterASmallerBatch_UsesThatBatchsLabels()
    {
        var loss = new SoftmaxCrossEntropy();
        loss.Forward(new Tensor(4, 2), [0, 0, 0, 0]);
        loss.Forward(new Tensor(2, 2), [1, 0]);
        loss.Backward().Span.ToArray().ShouldBe([0.25f, -0.25f, -0.25f, 0.25f], tolerance: 1e-7f);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void Backward_MatchesFiniteDifferences(float smoothing)
    {
        DerivativeChecks.Backward(LossProbe(new SoftmaxCrossEntropy(smoothing), Random(1, 4, 7), [0, 6, 3, 3]), coordinates: 28);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void Jvp_MatchesFiniteDifferences(float smoothing)
    {
        DerivativeChecks.Jvp(LossProbe(new SoftmaxCrossEntropy(smoothing), Random(2, 5, 4), [1, 2, 3, 0, 0]));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(LossProbe(new SoftmaxCrossEntropy(0.1f), Random(3, 8, 10), [0, 1, 2, 3, 4, 5, 6, 9]));
    }

    [Fact]
    public void Forward_LabelOutOfRange_NamesIndexAndValue()
    {
        var loss = new SoftmaxCrossEntropy();
        var logits = new Tensor(3, 4);
        var e = Should.Throw<ArgumentOutOfRangeException>(() => loss.Forward(logits, [0, 1, 4]));
        e.Message.ShouldContain("index 2");
        e.Message.ShouldContain("label 4");
        Should.Throw<ArgumentOutOfRangeException>(() => loss.Forward(logits, [-1, 0, 0])).Message.ShouldContain("index 0");
        Should.Throw<ArgumentException>(() => loss.Forward(logits, [0, 1])).Message.ShouldContain("SoftmaxCrossEntropy");
        Should.Throw<ArgumentException>(() => loss.Forward(new Tensor(12), [0])).Message.ShouldContain("[12]");
        Should.Throw<InvalidOperationException>(() => new SoftmaxCrossEntropy().Backward());
        Should.Throw<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy(1.5f));
    }

    [Fact]
    public void CountCorrect_ComparesArgmaxWithLabels()
    {
        var logits = new Tensor(new float[] { 1, 5, 2, 9, 0, 0, 3, 3, 1 }, 3, 3);
        SoftmaxCrossEntropy.CountCorrect(logits, [1, 0, 0]).ShouldBe(3);
        SoftmaxCrossEntropy.CountCorrect(logits, [1, 0, 1]).ShouldBe(2); // the tied row's argmax is its first index
        SoftmaxCrossEntropy.CountCorrect(logits, [2, 1, 1]).ShouldBe(0);
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var loss = new SoftmaxCrossEntropy(0.1f);
        var logits = Random(4, 128, 10);
        var labels = new int[128];
        for (int i = 0; i < labels.Length; i++) labels[i] = i % 10;
        void Step()
        {
            loss.Forward(logits, labels);
            loss.Backward();
            loss.Jvp(logits, logits, labels);
            SoftmaxCrossEntropy.CountCorrect(logits, labels);
        }
        SteadyStateAllocations.AssertNone(Step);
    }
}
