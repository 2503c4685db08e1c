// SoftmaxCrossEntropy: the classification loss, logits (N, K) and integer labels (N) -> the mean
// cross-entropy (a scalar) with optional label smoothing; Backward writes ∂loss/∂logits (N, K).
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Layers;

/// <summary>
/// loss = (1/N) Σₙ ℓₙ with ℓₙ = −Σₖ qₖ log softmax(zₙ)ₖ and target q = (1 − ε)·onehot(yₙ) + ε/K, exactly
/// <c>torch.nn.functional.cross_entropy(z, y, label_smoothing=ε)</c>; the log-softmax is shifted by the
/// row maximum so large logits cannot overflow. ∂loss/∂zₙₖ = (softmax(zₙ)ₖ − qₖ)/N.
/// Forward caches the probabilities and a copy of the labels for Backward. Not an <see cref="ILayer"/>:
/// its output is a scalar and its second input is integer.
/// </summary>
public sealed class SoftmaxCrossEntropy
{
    private Tensor? _probabilities, _gradLogits;
    private int[] _labels = [];
    private int _rows = -1, _classes;

    /// <summary>Creates the loss with label smoothing <paramref name="labelSmoothing"/> = ε ∈ [0, 1].</summary>
    public SoftmaxCrossEntropy(float labelSmoothing = 0f)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "SoftmaxCrossEntropy: label smoothing must lie in [0, 1].");
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>ε, the label smoothing.</summary>
    public float LabelSmoothing { get; }

    /// <summary>softmax(z) of the last Forward (N, K), or null before the first.</summary>
    public Tensor? Probabilities => _probabilities;

    /// <summary>Returns the mean loss over the N rows of <paramref name="logits"/> (N, K) for <paramref name="labels"/> (N, each in [0, K)).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label lies outside [0, K); the message names its index and value.</exception>
    public double Forward(Tensor logits, ReadOnlySpan<int> labels)
    {
        var (rows, classes) = Validate(logits, labels);
        var p = Tensor.Ensure(ref _probabilities, rows, classes);
        // Grow-only, so a smaller last batch does not reallocate on every epoch boundary.
        if (_labels.Length < rows) _labels = new int[rows];
        labels.CopyTo(_labels);
        _rows = rows;
        _classes = classes;
        double total = CrossEntropyKernels.Forward(logits.Span, labels, p.Span, rows, classes, LabelSmoothing);
        return rows == 0 ? 0 : total / rows;
    }

    /// <summary>
    /// Returns ∂(<paramref name="gradLoss"/>·loss)/∂logits (N, K) for the last Forward, a workspace owned by
    /// the layer: (softmax(z) − q)·gradLoss/N.
    /// </summary>
    public Tensor Backward(float gradLoss = 1f)
    {
        if (_rows < 0) throw new InvalidOperationException("SoftmaxCrossEntropy: Backward called before Forward.");
        var g = Tensor.Ensure(ref _gradLogits, _rows, _classes);
        if (_rows > 0)
            CrossEntropyKernels.Backward(_probabilities!.Span, _labels.AsSpan(0, _rows), g.Span, _rows, _classes, LabelSmoothing, gradLoss / _rows);
        return g;
    }

    /// <summary>
    /// Returns the mean loss and its directional derivative along <paramref name="tanLogits"/> (null for zero),
    /// (1/N) Σₙ ⟨softmax(zₙ) − qₙ, żₙ⟩. Caches like <see cref="Forward"/>, so <see cref="Backward"/> may follow.
    /// </summary>
    public (double Loss, double Tangent) Jvp(Tensor logits, Tensor? tanLogits, ReadOnlySpan<int> labels)
    {
        if (tanLogits is not null && !tanLogits.HasShape(logits.Shape))
            throw new ArgumentException($"SoftmaxCrossEntropy: logit tangent {tanLogits.ShapeText} does not match logits {logits.ShapeText}.", nameof(tanLogits));
        double loss = Forward(logits, labels);
        if (tanLogits is null || _rows == 0) return (loss, 0);
        var g = Backward(1f);
        return (loss, TensorMath.Dot(g.Span, tanLogits.Span));
    }

    /// <summary>Number of rows n of <paramref name="logits"/> (N, K) whose first maximal logit is at index labels[n].</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        var (rows, classes) = Validate(logits, labels);
        int correct = 0;
        for (int n = 0; n < rows; n++)
            if (TensorMath.ArgMax(logits.Span.Slice(n * classes, classes)) == labels[n]) correct++;
        return correct;
    }

    private static (int Rows, int Classes) Validate(Tensor logits, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Dim(1) == 0)
            throw new ArgumentException($"SoftmaxCrossEntropy expects logits (N, K) with K > 0; got {logits.ShapeText}.", nameof(logits));
        int rows = logits.Dim(0), classes = logits.Dim(1);
        if (labels.Length != rows)
            throw new ArgumentException($"SoftmaxCrossEntropy: {labels.Length} labels for logits {logits.ShapeText}; expected {rows}.", nameof(labels));
        for (int n = 0; n < rows; n++)
            if ((uint)labels[n] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[n], $"SoftmaxCrossEntropy: label {labels[n]} at index {n} is outside [0, {classes}).");
        return (rows, classes);
    }
}
